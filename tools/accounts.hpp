#pragma once
// The command side and the auth of the running service (DESIGN.md §4, §6), composed from one
// installation: the write-side store (DATA/commands), the command strands, the customer and auth
// services, the auth session store (DATA/auth), the outbox of codes (DATA/outbox), the token
// codec and the abuse controls.

#include <chrono>
#include <memory>
#include <thread>

#include "api/http.hpp"
#include "api/idempotency.hpp"
#include "api/jwt.hpp"
#include "api/throttle.hpp"
#include "commands/auth_service.hpp"
#include "commands/complaint_commands.hpp"
#include "commands/order_commands.hpp"
#include "infra/outbox_notifier.hpp"
#include "infra/rocksdb_auth_store.hpp"
#include "infra/rocksdb_write_model.hpp"
#include "tools/installation.hpp"

namespace clientele::tools {

// What the key of one-time codes (RocksDbAuthStore) is derived from the pepper for.
inline constexpr std::string_view kOneTimeCodesPurpose = "one-time codes";

struct AccountOptions {
  commands::PasswordHashing hashing;  // argon2id's cost
  api::RateLimit auth_rate;           // per client address, on the auth routes
  // How often what expired is purged while the accounts are open (and once when they open): refresh
  // tokens, codes and nonces (DATA/auth) and kept idempotent answers (DATA/commands).
  std::chrono::minutes sweep_every{60};
};

struct Accounts {
  // Opens the stores of `installation` (whose members must outlive the result), catches every
  // partition up with the log, and starts the strands. Errors name what failed.
  static Result<std::unique_ptr<Accounts>> open(const StoreOptions& options,
                                                Installation& installation,
                                                const AccountOptions& account_options);
  ~Accounts();  // stops the strands

  // Who a bearer token names (DispatchOptions::authenticate).
  Result<api::Caller> authenticate(std::string_view token) const;

  std::unique_ptr<infra::RocksDbWriteModel> write_model;  // DATA/commands
  std::unique_ptr<infra::RocksDbAuthStore> sessions;      // DATA/auth
  std::unique_ptr<infra::OutboxNotifier> outbox;          // DATA/outbox
  std::unique_ptr<commands::CommandBus> bus;
  std::unique_ptr<commands::CustomerCommands> customers;
  std::unique_ptr<commands::OrderCommands> orders;
  std::unique_ptr<commands::ComplaintCommands> complaints;
  std::unique_ptr<commands::PasswordHasher> hasher;
  std::unique_ptr<commands::AuthService> auth;
  std::unique_ptr<api::JwtCodec> tokens;
  api::LoginBackoff backoff;
  std::unique_ptr<api::RateLimiter> rate_limit;
  std::unique_ptr<api::Idempotency> idempotency;
  std::jthread sweeper;  // purges what expired every sweep_every; last, so it stops first
};

// Purges what expired by now from the stores of `accounts` (see AccountOptions::sweep_every) and
// logs how much; a store that cannot be swept is logged and left for the next time.
void sweep_expired(Accounts& accounts);

}  // namespace clientele::tools
