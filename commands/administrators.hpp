#pragma once
// Administrators (DESIGN.md §6): staff accounts, apart from customers. They are created by ops
// with `clientele admin create` and sign in on the same login route as customers, by email. An
// administrator is a user id (`ADM_` + 8 hex digits) and a password hash, found by the blind
// index of the email (the email itself is not kept).

#include <optional>
#include <string>
#include <string_view>

#include "commands/password.hpp"
#include "domain/ids.hpp"
#include "domain/result.hpp"
#include "domain/time.hpp"
#include "events/crypto.hpp"

namespace clientele::commands {

struct Administrator {
  UserId id;
  std::string password_hash;
  Timestamp created_at;
};

// Implementations are thread-safe and durable when a call returns.
class AdministratorStore {
 public:
  virtual ~AdministratorStore() = default;

  // A new administrator whose email has the blind index `email_key`. errc::conflict (field
  // "email") when one already has it.
  virtual Result<Administrator> create_administrator(std::string_view email_key,
                                                     std::string password_hash, Timestamp now) = 0;
  virtual Result<std::optional<Administrator>> administrator_by_email(
      std::string_view email_key) = 0;
  virtual Result<std::optional<Administrator>> administrator(const UserId& id) = 0;
};

// Whether `user` is an administrator's id (else a customer's).
bool is_administrator_id(const UserId& user);

// Creates an administrator: checks the email and the password rules (field "password"), hashes
// the password. The same operation for `clientele admin create` with or without a running
// service.
Result<Administrator> create_administrator(AdministratorStore& store, const PasswordHasher& hasher,
                                           const events::SecretKey& pepper, std::string_view email,
                                           std::string_view password, Timestamp now);

}  // namespace clientele::commands
