#include "tools/accounts.hpp"

#include <condition_variable>
#include <mutex>

#include "infra/clock.hpp"
#include "infra/logging.hpp"
#include "infra/uuid.hpp"

namespace clientele::tools {
namespace {

constexpr std::string_view kIssuer = "clientele";
constexpr std::string_view kAudience = "clientele-api";

}  // namespace

Result<std::unique_ptr<Accounts>> Accounts::open(const StoreOptions& options,
                                                 Installation& installation,
                                                 const AccountOptions& account_options) {
  auto hasher = commands::PasswordHasher::create(account_options.hashing);
  if (!hasher) return hasher.error();
  auto jwt_secret = load_installation_jwt_secret(options);
  if (!jwt_secret) return jwt_secret.error();
  auto accounts = std::make_unique<Accounts>();
  const auto data = options.data_path();
  auto write_model = infra::RocksDbWriteModel::open(data / "commands");
  if (!write_model) return write_model.error();
  accounts->write_model = std::move(*write_model);
  // One-time codes are hashed under a key of their own, derived from the pepper: like it, it
  // never lives in the data directory.
  auto sessions = infra::RocksDbAuthStore::open(
      data / "auth", events::derive_key(installation.secrets.pepper, kOneTimeCodesPurpose));
  if (!sessions) return sessions.error();
  accounts->sessions = std::move(*sessions);
  auto outbox = infra::OutboxNotifier::open(data / "outbox");
  if (!outbox) return outbox.error();
  accounts->outbox = std::move(*outbox);

  accounts->bus = std::make_unique<commands::CommandBus>(
      *installation.log, *installation.keys, *accounts->write_model, installation.secrets.pepper,
      infra::uuid_v7);
  if (auto caught_up = accounts->bus->catch_up(); !caught_up) return caught_up.error();
  accounts->customers = std::make_unique<commands::CustomerCommands>(*accounts->bus, infra::utc_now,
                                                                     infra::random_customer_id);
  accounts->orders = std::make_unique<commands::OrderCommands>(*accounts->bus, infra::utc_now);
  accounts->complaints = std::make_unique<commands::ComplaintCommands>(
      *accounts->bus, *accounts->sessions, infra::utc_now, infra::random_complaint_id,
      infra::random_comment_id);
  accounts->hasher = std::make_unique<commands::PasswordHasher>(std::move(*hasher));
  accounts->auth = std::make_unique<commands::AuthService>(
      commands::AuthService::Parts{*accounts->customers, *accounts->sessions, *accounts->hasher,
                                   *accounts->sessions, *accounts->sessions, *accounts->outbox});
  accounts->tokens = std::make_unique<api::JwtCodec>(std::move(*jwt_secret), std::string(kIssuer),
                                                     std::string(kAudience));
  accounts->rate_limit = std::make_unique<api::RateLimiter>(account_options.auth_rate);
  accounts->idempotency = std::make_unique<api::Idempotency>(
      *accounts->write_model, events::derive_key(installation.secrets.pepper, "idempotency keys"),
      infra::utc_now);
  accounts->sweeper = std::jthread(
      [&self = *accounts, every = account_options.sweep_every](const std::stop_token& stop) {
        std::mutex mutex;
        std::condition_variable_any wake;
        std::unique_lock lock(mutex);
        // Once at the start, then every interval. Nothing notifies `wake`: it waits out the
        // interval, or until the stop is requested.
        while (!stop.stop_requested()) {
          sweep_expired(self);
          (void)wake.wait_for(lock, stop, every, [] { return false; });
        }
      });
  const auto& hashing = account_options.hashing;
  infra::log_info("command side ready", {{"path", (data / "commands").string()},
                                         {"argon2idOpsLimit", hashing.ops_limit},
                                         {"argon2idMemoryKiB", hashing.mem_limit / 1024},
                                         {"weakPasswordHashing", hashing.allow_weak}});
  return accounts;
}

Accounts::~Accounts() {
  if (bus) bus->stop();
}

void sweep_expired(Accounts& accounts) {
  auto sessions = accounts.sessions->purge_expired(infra::utc_now());
  auto answers = accounts.idempotency->purge_expired();
  if (!sessions)
    infra::log_warn("cannot purge the auth store", {{"error", sessions.error().message}});
  if (!answers) {
    infra::log_warn("cannot purge the idempotency keys", {{"error", answers.error().message}});
  }
  if ((sessions && *sessions > 0) || (answers && *answers > 0)) {
    infra::log_info("purged what expired", {{"authRows", sessions ? *sessions : 0},
                                            {"idempotentAnswers", answers ? *answers : 0}});
  }
}

Result<api::Caller> Accounts::authenticate(std::string_view token) const {
  auto claims = tokens->verify(token, infra::utc_now());
  if (!claims) return claims.error();
  return api::Caller{claims->subject, claims->role};
}

}  // namespace clientele::tools
