#pragma once
// Authentication (DESIGN.md §6, issue 6): registration, login, refresh-token rotation, logout,
// password changes and federated login, over the customer service (customer_commands.hpp), the
// administrators, the password hasher and the refresh-token store. Customers and administrators
// sign in alike; an administrator by email only. Access tokens and ID tokens are the API's
// business: this service says who the caller is and hands out the refresh token.
//
// Errors a client sees: errc::invalid (per field) for malformed input; errc::conflict ("email")
// for a taken email; errc::forbidden for wrong credentials, an unknown account, or a refresh token
// that is not valid — one message for all of them, so the answer does not tell which (the API
// answers 401); errc::conflict ("status") for an Inactive or Suspended customer, who may neither
// log in nor refresh (403).

#include <optional>
#include <string>

#include "commands/administrators.hpp"
#include "commands/auth_sessions.hpp"
#include "commands/customer_commands.hpp"
#include "commands/notifier.hpp"
#include "commands/password.hpp"

namespace clientele::commands {

// Where a request came from, as the API saw it (recorded in customer.logged-in, sealed).
struct Client {
  std::string address;
  std::string user_agent;
};

// A signed-in session: whose, and its refresh token.
struct Session {
  UserId user;  // the customer id, or the administrator's id
  Role role = Role::Customer;
  RefreshToken refresh;
  Outcome outcome;          // what the request appended (registration or login)
  bool registered = false;  // the request registered the customer
};

struct NewCustomer {
  std::string email;
  std::string password;  // in the clear; hashed here
  std::string first_name;
  std::string last_name;
  std::string phone;
  std::optional<Date> date_of_birth;
  std::optional<customer::Gender> gender;
  customer::Preferences preferences;
  bool marketing_emails = false;
  bool marketing_sms = false;
};

// An account at an identity provider, as a verified OpenID Connect ID token describes it (the API
// verifies the token: api/oidc.hpp). This service trusts what it is given.
struct ExternalIdentity {
  customer::Provider provider = customer::Provider::Google;
  std::string subject;                     // the account's id at the provider (`sub`)
  std::optional<std::string> email;        // the account's email, when the token carries one
  bool email_verified = false;             // the provider verified `email`
  std::optional<std::string> given_name;   // when the token carries one
  std::optional<std::string> family_name;  // when the token carries one
};

// What a client sends along with an ID token, for a customer a federated login registers: each is
// used only where the token says nothing.
struct FederatedProfile {
  std::optional<std::string> email;
  std::optional<std::string> first_name;
  std::optional<std::string> last_name;
};

class AuthService {
 public:
  // What the service works with; every member must outlive it.
  struct Parts {
    CustomerCommands& customers;
    AdministratorStore& administrators;
    const PasswordHasher& hasher;
    RefreshTokenStore& refresh_tokens;
    OneTimeCodeStore& codes;
    Notifier& notifier;
  };
  explicit AuthService(Parts parts);

  // Registers a customer and signs them in. An email of an administrator is taken too.
  Result<Session> register_customer(const NewCustomer& request, const Origin& origin = {});

  // Signs in with an email or a username and a password; records a customer's login.
  Result<Session> login(std::string_view email_or_username, std::string_view password,
                        const Client& client);

  // Rotates a refresh token (auth_sessions.hpp) of a user still allowed in.
  Result<Session> refresh(std::string_view refresh_token);

  // An opaque key for the account `email_or_username` names, whether or not it exists (a keyed
  // hash): what login backoff counts failures by.
  std::string login_key(std::string_view email_or_username) const;
  // The same for a phone number (verify_phone_code).
  std::string phone_key(std::string_view phone) const;

  // Ends the session of `refresh_token`. Idempotent.
  Result<void> logout(std::string_view refresh_token);

  // Sends a password-reset code (6 digits, 10 minutes, 5 attempts) to the customer whose email
  // this is, if there is one who may sign in. Succeeds either way, so that the answer does not
  // tell whether the email is registered.
  Result<void> forgot_password(std::string_view email);

  // Sets a new password with the code forgot_password sent; ends every session of the customer.
  // errc::forbidden (field "code") for a wrong, expired or used-up code, or an unknown email.
  Result<Outcome> reset_password(std::string_view email, std::string_view code,
                                 std::string_view new_password);

  // Sends a one-time login code by SMS to `phone` (E.164) when it leads to a customer who may
  // sign in (IdentityLookups::by_phone). Succeeds either way, like forgot_password.
  Result<void> request_phone_code(std::string_view phone);

  // Signs in with the code request_phone_code sent; records the login. errc::forbidden (field
  // "code") for a wrong, expired or used-up code, or a phone that leads to no one.
  Result<Session> verify_phone_code(std::string_view phone, std::string_view code,
                                    const Client& client);

  // Changes the customer's password after checking the current one; ends every session of the
  // customer. errc::forbidden (field "currentPassword") when the current password is wrong.
  Result<Outcome> change_password(const CustomerId& customer, std::string_view current_password,
                                  std::string_view new_password,
                                  std::optional<std::uint64_t> expected_version = {});

  // A nonce for one federated login (OneTimeCodeStore::issue_nonce, 10 minutes): the client has
  // the identity provider put it into the ID token it then presents.
  Result<std::string> issue_login_nonce();
  // Uses up `nonce`: errc::forbidden (field "nonce") unless issue_login_nonce issued it, it has
  // not expired and it was not used before.
  Result<void> redeem_login_nonce(std::string_view nonce);

  // Signs in with an external account:
  //   - linked to a customer: signs them in and records the login (LoginMethod::Federated);
  //     errc::conflict ("status") for an Inactive or Suspended customer, errc::forbidden for an
  //     erased one (erasure removes the link, so this happens only in a race with it);
  //   - linked to no one, and its email (the token's, else the profile's) is a customer's or an
  //     administrator's: errc::conflict ("email"). An account is never linked by its email alone,
  //     or whoever controls that email at some provider would take over the customer: the
  //     customer signs in and links it (link_external_account);
  //   - linked to no one, and the email is free: registers a customer without a password,
  //     importing the email and the names only (the token's, else the profile's; errc::invalid
  //     naming the first one missing), links the account, and marks the email verified when it is
  //     the token's and the provider verified it. Session::registered is then true.
  // errc::conflict ("idToken") when the account is linked to another customer meanwhile.
  Result<Session> federated_login(const ExternalIdentity& identity, const FederatedProfile& profile,
                                  const Client& client);

  // Links the external account of `identity` to `customer`, who must be allowed to sign in.
  // errc::conflict on "provider" when the customer has an account of that provider linked
  // already, on "idToken" when the account is another customer's.
  Result<Outcome> link_external_account(const CustomerId& customer,
                                        const ExternalIdentity& identity);

 private:
  // The customer `customer` if they may sign in: registered, not erased, Active.
  Result<Loaded<customer::State>> signed_in_customer(const CustomerId& customer);
  // The administrator signing in with `email` and `password`, nullopt when none has the email.
  Result<std::optional<Session>> administrator_login(std::string_view email,
                                                     std::string_view password);

  // Whether `email` is a customer's or an administrator's.
  Result<bool> email_taken(std::string_view email);
  // Records a login of `customer` by `method` and opens a session.
  Result<Session> signed_in(const CustomerId& customer, customer::LoginMethod method,
                            const Client& client);
  // Opens a session of `customer` once `outcome` is appended; `registered` as in Session.
  Result<Session> session_of(const CustomerId& customer, Outcome outcome, bool registered);
  // The third case of federated_login: a new customer with the external account linked.
  Result<Session> register_federated(const ExternalIdentity& identity,
                                     const FederatedProfile& profile);
  // Hashes `new_password`, changes it, and ends every session of the customer.
  Result<Outcome> set_password(const CustomerId& customer, std::string_view new_password,
                               std::optional<std::uint64_t> expected_version);

  CustomerCommands& customers_;
  AdministratorStore& administrators_;
  const PasswordHasher& hasher_;
  RefreshTokenStore& refresh_tokens_;
  OneTimeCodeStore& codes_;
  Notifier& notifier_;
};

}  // namespace clientele::commands
