#include "commands/administrators.hpp"

#include "domain/validation.hpp"

namespace clientele::commands {

bool is_administrator_id(const UserId& user) {
  return user.str().starts_with("ADM_");
}

Result<Administrator> create_administrator(AdministratorStore& store, const PasswordHasher& hasher,
                                           const events::SecretKey& pepper, std::string_view email,
                                           std::string_view password, Timestamp now) {
  if (auto valid = check_email("email", email); !valid) return valid.error();
  if (auto valid = check_password_policy(password, "password"); !valid) return valid.error();
  const auto key = events::blind_index(pepper, email);
  auto existing = store.administrator_by_email(key);
  if (!existing) return existing.error();
  if (*existing) return make_error(errc::conflict, "email", "is already an administrator's");
  auto hash = hasher.hash(password);
  if (!hash) return hash.error();
  return store.create_administrator(key, std::move(*hash), now);
}

}  // namespace clientele::commands
