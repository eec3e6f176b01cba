#include "commands/auth_service.hpp"

#include "domain/validation.hpp"

namespace clientele::commands {
namespace {

Error bad_credentials() {
  return make_error(errc::forbidden, "", "the credentials are not valid");
}

Actor self(const CustomerId& customer) {
  return Actor{UserId(customer.str()), Role::Customer};
}

Actor anonymous() {
  return Actor{UserId("anonymous"), Role::Customer};
}

// The error of linking an external account, in the request's terms: the account is the ID
// token's.
Error about_token(Error error) {
  if (error.field == "externalUserId") error.field = "idToken";
  return error;
}

Error email_of_another() {
  return make_error(errc::conflict, "email",
                    "is already registered: sign in to that account, then link this one to it");
}

// What the ID token says, else what the client sent; errc::invalid on `field` when neither does.
Result<std::string> token_or_client(const std::optional<std::string>& token,
                                    const std::optional<std::string>& client, const char* field) {
  if (token) return *token;
  if (client) return *client;
  return make_error(errc::invalid, field, "is required: the identity provider did not give it");
}

}  // namespace

AuthService::AuthService(Parts parts)
    : customers_(parts.customers),
      administrators_(parts.administrators),
      hasher_(parts.hasher),
      refresh_tokens_(parts.refresh_tokens),
      codes_(parts.codes),
      notifier_(parts.notifier) {}

Result<Session> AuthService::register_customer(const NewCustomer& request, const Origin& origin) {
  if (auto valid = check_password_policy(request.password, "password"); !valid) {
    return valid.error();
  }
  // Cheap refusals first: an argon2id hash costs tens of milliseconds and its memory.
  if (auto valid = check_email("email", request.email); !valid) return valid.error();
  auto taken = email_taken(request.email);
  if (!taken) return taken.error();
  if (*taken) return make_error(errc::conflict, "email", "is already registered");

  auto hash = hasher_.hash(request.password);
  if (!hash) return hash.error();
  customer::Register command;
  command.email = request.email;
  command.password_hash = std::move(*hash);
  command.first_name = request.first_name;
  command.last_name = request.last_name;
  command.phone = request.phone;
  command.date_of_birth = request.date_of_birth;
  command.gender = request.gender;
  command.preferences = request.preferences;
  command.marketing_emails = request.marketing_emails;
  command.marketing_sms = request.marketing_sms;
  auto registered = customers_.register_customer(std::move(command), anonymous(), origin);
  if (!registered) return registered.error();
  return session_of(registered->customer_id, std::move(registered->outcome), true);
}

Result<bool> AuthService::email_taken(std::string_view email) {
  auto owner = customers_.find_by_login(email);
  if (!owner) return owner.error();
  auto administrator = administrators_.administrator_by_email(customers_.login_key(email));
  if (!administrator) return administrator.error();
  return owner->has_value() || administrator->has_value();
}

Result<Session> AuthService::session_of(const CustomerId& customer, Outcome outcome,
                                        bool registered) {
  auto refresh = refresh_tokens_.issue(UserId(customer.str()), customers_.now());
  if (!refresh) return refresh.error();
  return Session{UserId(customer.str()), Role::Customer, std::move(*refresh), std::move(outcome),
                 registered};
}

Result<Loaded<customer::State>> AuthService::signed_in_customer(const CustomerId& customer) {
  auto loaded = customers_.load(customer);
  if (!loaded) return loaded.error();
  if (!loaded->state.registered || loaded->state.erased) return bad_credentials();
  if (loaded->state.status != customer::Status::Active) {
    return make_error(
        errc::conflict, "status",
        std::string("the account is ") + std::string(to_string(loaded->state.status)));
  }
  return loaded;
}

Result<std::optional<Session>> AuthService::administrator_login(std::string_view email,
                                                                std::string_view password) {
  auto administrator = administrators_.administrator_by_email(customers_.login_key(email));
  if (!administrator) return administrator.error();
  if (!*administrator) return std::optional<Session>();
  if (!hasher_.verify((*administrator)->password_hash, password)) return bad_credentials();
  auto refresh = refresh_tokens_.issue((*administrator)->id, customers_.now());
  if (!refresh) return refresh.error();
  return std::optional<Session>(
      Session{(*administrator)->id, Role::Administrator, std::move(*refresh), {}});
}

Result<Session> AuthService::login(std::string_view email_or_username, std::string_view password,
                                   const Client& client) {
  if (email_or_username.find('@') != std::string_view::npos) {
    auto administrator = administrator_login(email_or_username, password);
    if (!administrator) return administrator.error();
    if (*administrator) return std::move(**administrator);
  }
  auto found = customers_.find_by_login(email_or_username);
  if (!found) return found.error();
  if (!*found) {
    (void)hasher_.verify_dummy(password);  // as long as a wrong password takes
    return bad_credentials();
  }
  auto loaded = customers_.load(**found);
  if (!loaded) return loaded.error();
  const auto& state = loaded->state;
  if (!state.registered || state.erased || state.password_hash.empty() ||
      !hasher_.verify(state.password_hash, password)) {
    if (state.password_hash.empty()) (void)hasher_.verify_dummy(password);
    return bad_credentials();
  }
  // Only now, with the password right, may the answer say more about the account.
  auto allowed = signed_in_customer(**found);
  if (!allowed) return allowed.error();

  return signed_in(**found, customer::LoginMethod::Password, client);
}

Result<Session> AuthService::signed_in(const CustomerId& customer, customer::LoginMethod method,
                                       const Client& client) {
  auto recorded = customers_.execute(
      customer, customer::RecordLogin{method, client.address, client.user_agent}, self(customer));
  if (!recorded) return recorded.error();
  return session_of(customer, std::move(*recorded), false);
}

Result<Session> AuthService::refresh(std::string_view refresh_token) {
  auto rotated = refresh_tokens_.rotate(refresh_token, customers_.now());
  if (!rotated) return rotated.error();
  if (is_administrator_id(rotated->user)) {
    auto administrator = administrators_.administrator(rotated->user);
    if (!administrator) return administrator.error();
    if (!*administrator) return bad_credentials();
    return Session{rotated->user, Role::Administrator, std::move(rotated->next), {}};
  }
  const CustomerId customer(rotated->user.str());
  if (auto allowed = signed_in_customer(customer); !allowed) {
    (void)refresh_tokens_.revoke_all(rotated->user);
    return allowed.error();
  }
  return Session{rotated->user, Role::Customer, std::move(rotated->next), {}};
}

std::string AuthService::login_key(std::string_view email_or_username) const {
  return customers_.login_key(email_or_username);
}

std::string AuthService::phone_key(std::string_view phone) const {
  return customers_.phone_key(phone);
}

Result<void> AuthService::logout(std::string_view refresh_token) {
  return refresh_tokens_.revoke(refresh_token);
}

Result<Outcome> AuthService::change_password(const CustomerId& customer,
                                             std::string_view current_password,
                                             std::string_view new_password,
                                             std::optional<std::uint64_t> expected_version) {
  if (auto valid = check_password_policy(new_password, "newPassword"); !valid) {
    return valid.error();
  }
  auto loaded = signed_in_customer(customer);
  if (!loaded) return loaded.error();
  if (loaded->state.password_hash.empty() ||
      !hasher_.verify(loaded->state.password_hash, current_password)) {
    return make_error(errc::forbidden, "currentPassword", "is not the current password");
  }
  return set_password(customer, new_password, expected_version);
}

Result<Outcome> AuthService::set_password(const CustomerId& customer, std::string_view new_password,
                                          std::optional<std::uint64_t> expected_version) {
  auto hash = hasher_.hash(new_password);
  if (!hash) return hash.error();
  auto changed = customers_.execute(customer, customer::ChangePassword{std::move(*hash)},
                                    self(customer), expected_version);
  if (!changed) return changed.error();
  if (auto revoked = refresh_tokens_.revoke_all(UserId(customer.str())); !revoked) {
    return revoked.error();
  }
  return changed;
}

Result<void> AuthService::forgot_password(std::string_view email) {
  if (auto valid = check_email("email", email); !valid) return valid.error();
  auto found = customers_.find_by_login(email);
  if (!found) return found.error();
  if (!*found) return success();
  auto allowed = signed_in_customer(**found);
  if (!allowed) return success();  // nothing goes out, and the answer does not say why
  // The request is recorded first: an account the rules refuse it for gets no code either.
  auto recorded = customers_.execute(**found, customer::RequestPasswordReset{}, self(**found));
  if (!recorded) {
    return recorded.error().code == errc::unavailable ? Result<void>(recorded.error()) : success();
  }
  const auto now = customers_.now();
  auto code = codes_.issue_code(CodePurpose::password_reset, found->value().str(), now);
  if (!code) return code.error();
  return notifier_.send({"password-reset-code", **found, Channel::Email, allowed->state.email,
                         std::move(*code), now});
}

Result<void> AuthService::request_phone_code(std::string_view phone) {
  if (auto valid = check_phone("phone", phone); !valid) return valid.error();
  auto found = customers_.find_by_phone(phone);
  if (!found) return found.error();
  if (!*found) return success();
  if (auto allowed = signed_in_customer(**found); !allowed) return success();
  const auto now = customers_.now();
  auto code = codes_.issue_code(CodePurpose::phone_login, found->value().str(), now);
  if (!code) return code.error();
  return notifier_.send(
      {"phone-otp", **found, Channel::Sms, std::string(phone), std::move(*code), now});
}

Result<Session> AuthService::verify_phone_code(std::string_view phone, std::string_view code,
                                               const Client& client) {
  const auto refused = [] {
    return make_error(errc::forbidden, "code", "is not valid, has expired or was used");
  };
  auto found = customers_.find_by_phone(phone);
  if (!found) return found.error();
  if (!*found) return refused();
  if (!codes_.redeem_code(CodePurpose::phone_login, found->value().str(), code, customers_.now())) {
    return refused();
  }
  if (auto allowed = signed_in_customer(**found); !allowed) return allowed.error();
  return signed_in(**found, customer::LoginMethod::PhoneOtp, client);
}

Result<Outcome> AuthService::reset_password(std::string_view email, std::string_view code,
                                            std::string_view new_password) {
  if (auto valid = check_password_policy(new_password, "newPassword"); !valid) {
    return valid.error();
  }
  const auto refused = [] {
    return make_error(errc::forbidden, "code", "is not valid, has expired or was used");
  };
  auto found = customers_.find_by_login(email);
  if (!found) return found.error();
  if (!*found) return refused();
  auto redeemed =
      codes_.redeem_code(CodePurpose::password_reset, found->value().str(), code, customers_.now());
  if (!redeemed) return refused();
  if (auto allowed = signed_in_customer(**found); !allowed) return allowed.error();
  return set_password(**found, new_password, std::nullopt);
}

Result<std::string> AuthService::issue_login_nonce() {
  return codes_.issue_nonce(CodePurpose::federated_login, customers_.now());
}

Result<void> AuthService::redeem_login_nonce(std::string_view nonce) {
  return codes_.redeem_nonce(CodePurpose::federated_login, nonce, customers_.now());
}

Result<Session> AuthService::federated_login(const ExternalIdentity& identity,
                                             const FederatedProfile& profile,
                                             const Client& client) {
  auto linked = customers_.find_by_external_account(identity.provider, identity.subject);
  if (!linked) return linked.error();
  if (!*linked) return register_federated(identity, profile);
  if (auto allowed = signed_in_customer(**linked); !allowed) return allowed.error();
  return signed_in(**linked, customer::LoginMethod::Federated, client);
}

Result<Session> AuthService::register_federated(const ExternalIdentity& identity,
                                                const FederatedProfile& profile) {
  auto email = token_or_client(identity.email, profile.email, "email");
  if (!email) return email.error();
  auto first_name = token_or_client(identity.given_name, profile.first_name, "firstName");
  if (!first_name) return first_name.error();
  auto last_name = token_or_client(identity.family_name, profile.last_name, "lastName");
  if (!last_name) return last_name.error();
  if (auto valid = check_email("email", *email); !valid) return valid.error();
  auto taken = email_taken(*email);
  if (!taken) return taken.error();
  if (*taken) return email_of_another();

  customer::Register command;  // no password: the account signs in through its provider
  command.email_verified = identity.email && identity.email_verified && *email == *identity.email;
  command.email = std::move(*email);
  command.first_name = std::move(*first_name);
  command.last_name = std::move(*last_name);
  command.external_account = customer::LinkExternalAccount{identity.provider, identity.subject};
  auto registered = customers_.register_customer(std::move(command), anonymous());
  if (!registered) {
    const auto& error = registered.error();
    // Registered with this email meanwhile: the same answer as when it was before.
    if (error.code == errc::conflict && error.field == "email") return email_of_another();
    return about_token(error);
  }
  return session_of(registered->customer_id, std::move(registered->outcome), true);
}

Result<Outcome> AuthService::link_external_account(const CustomerId& customer,
                                                   const ExternalIdentity& identity) {
  if (auto allowed = signed_in_customer(customer); !allowed) return allowed.error();
  auto linked = customers_.link_external_account(customer, {identity.provider, identity.subject},
                                                 self(customer));
  if (!linked) return about_token(linked.error());
  return linked;
}

}  // namespace clientele::commands
