#pragma once
// The Customer aggregate: profile, credentials, address book, consent, external accounts and
// erasure. A pure decider (STYLE.md): decide() holds every rule, evolve() none.
// Stream: one per customer; every event of it is about that customer.

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "domain/address.hpp"
#include "domain/context.hpp"
#include "domain/enums.hpp"
#include "domain/ids.hpp"
#include "domain/result.hpp"
#include "domain/time.hpp"

namespace clientele::customer {

enum class Status { Active, Inactive, Suspended };
enum class Type { Regular, Premium, VIP };
enum class Gender { Male, Female, Other, Undisclosed };
enum class Provider { Google, Kakao, Apple };
enum class ConsentPurpose { Personalization };
enum class LoginMethod { Password, PhoneOtp, Federated };

inline constexpr std::size_t kMaxAddresses = 20;
inline constexpr std::size_t kMaxTags = 20;
inline constexpr std::size_t kMaxStatusReason = 500;
inline constexpr std::size_t kMaxNote = 1000;

struct Preferences {
  bool newsletter = false;
  bool notifications = true;
  std::string language = "en";  // ISO 639-1, optionally with region ("en-US")
  std::string currency;         // ISO 4217, or empty for the shop's default

  bool operator==(const Preferences&) const = default;
};

// One entry of the address book.
struct Address {
  AddressId id;
  std::string alias;  // 1..50, unique per customer (case-insensitive)
  AddressKind kind = AddressKind::Home;
  PostalAddress postal;

  bool operator==(const Address&) const = default;
};

// ---- commands -------------------------------------------------------------------------------

struct LinkExternalAccount {
  Provider provider = Provider::Google;
  std::string external_user_id;  // the provider's subject; 1..255
};

struct Register {
  CustomerId customer_id;
  std::string username;       // chosen unique by the command layer
  std::string email;          // as typed; must be a valid address
  std::string password_hash;  // opaque (argon2id string); empty for federated-only accounts
  std::string first_name;     // 2..100
  std::string last_name;      // 2..100
  std::string phone;          // E.164 or empty
  std::optional<Date> date_of_birth;
  std::optional<Gender> gender;
  std::string company_name;  // ..100 or empty
  Preferences preferences;
  bool marketing_emails = false;
  bool marketing_sms = false;
  // A federated registration: the external account linked, and whether its provider verified
  // the email, in the same append as the registration, so that the customer never exists
  // without them.
  std::optional<LinkExternalAccount> external_account;
  bool email_verified = false;
};

// Fields left nullopt are unchanged. An empty phone or company name clears it.
struct UpdateProfile {
  std::optional<std::string> first_name;
  std::optional<std::string> last_name;
  std::optional<std::string> phone;
  std::optional<Date> date_of_birth;
  std::optional<Gender> gender;
  std::optional<std::string> company_name;
  std::optional<bool> marketing_emails;
  std::optional<bool> marketing_sms;
};

struct ChangeEmail {
  std::string email;
};
struct VerifyEmail {};
struct VerifyPhone {};
struct ChangePassword {
  std::string password_hash;
};
struct RequestPasswordReset {};
struct ChangeStatus {
  Status status = Status::Active;
  std::string reason;  // ..500, may be empty
};
struct ChangeType {
  Type type = Type::Regular;
};
struct AddNote {
  std::string note;  // 1..1000
};
struct SetTags {
  std::vector<std::string> tags;  // at most 20; each 1..30 of [a-z0-9_-] after lower-casing
};
struct ChangePreferences {
  Preferences preferences;
};
struct GiveConsent {
  ConsentPurpose purpose = ConsentPurpose::Personalization;
};
struct WithdrawConsent {
  ConsentPurpose purpose = ConsentPurpose::Personalization;
};
struct RecordLogin {
  LoginMethod method = LoginMethod::Password;
  std::string ip_address;  // as seen by the API; may be empty
  std::string user_agent;  // ..500; may be empty
};
// The customer asks to be forgotten; compliance staff then run Erase.
struct RequestErasure {};
struct Erase {
  std::string reason_code;   // 1..50, e.g. "gdpr-art17"
  std::string legal_basis;   // 1..200, e.g. "GDPR Art. 17(1)(a)"
  std::string requested_by;  // 1..100, a staff user id, never a personal name
};
struct AddAddress {
  AddressId address_id;  // chosen by the command layer
  std::string alias;
  AddressKind kind = AddressKind::Home;
  PostalAddress postal;
  bool make_default = false;
};
struct UpdateAddress {
  AddressId address_id;
  std::string alias;
  AddressKind kind = AddressKind::Home;
  PostalAddress postal;
};
struct RemoveAddress {
  AddressId address_id;
};
struct SetDefaultAddress {
  AddressId address_id;
};

using Command = std::variant<Register, UpdateProfile, ChangeEmail, VerifyEmail, VerifyPhone,
                             ChangePassword, RequestPasswordReset, LinkExternalAccount,
                             ChangeStatus, ChangeType, AddNote, SetTags, ChangePreferences,
                             GiveConsent, WithdrawConsent, RecordLogin, RequestErasure, Erase,
                             AddAddress, UpdateAddress, RemoveAddress, SetDefaultAddress>;

// ---- events ---------------------------------------------------------------------------------

struct Registered {
  CustomerId customer_id;
  std::string username;
  std::string email;
  std::string password_hash;
  std::string first_name;
  std::string last_name;
  std::string phone;
  std::optional<Date> date_of_birth;
  std::optional<Gender> gender;
  std::string company_name;
  Preferences preferences;
  bool marketing_emails = false;
  bool marketing_sms = false;

  bool operator==(const Registered&) const = default;
};
// Only the fields that changed are set.
struct ProfileUpdated {
  std::optional<std::string> first_name;
  std::optional<std::string> last_name;
  std::optional<std::string> phone;
  std::optional<Date> date_of_birth;
  std::optional<Gender> gender;
  std::optional<std::string> company_name;
  std::optional<bool> marketing_emails;
  std::optional<bool> marketing_sms;

  bool operator==(const ProfileUpdated&) const = default;
};
struct EmailChanged {
  std::string email;
  bool operator==(const EmailChanged&) const = default;
};
struct EmailVerified {
  bool operator==(const EmailVerified&) const = default;
};
struct PhoneVerified {
  bool operator==(const PhoneVerified&) const = default;
};
struct PasswordChanged {
  std::string password_hash;
  bool operator==(const PasswordChanged&) const = default;
};
struct PasswordResetRequested {
  bool operator==(const PasswordResetRequested&) const = default;
};
struct ExternalAccountLinked {
  Provider provider = Provider::Google;
  std::string external_user_id;
  bool operator==(const ExternalAccountLinked&) const = default;
};
struct StatusChanged {
  Status from = Status::Active;
  Status to = Status::Active;
  std::string reason;
  bool operator==(const StatusChanged&) const = default;
};
struct TypeChanged {
  Type from = Type::Regular;
  Type to = Type::Regular;
  bool operator==(const TypeChanged&) const = default;
};
struct NoteAdded {
  std::string note;
  bool operator==(const NoteAdded&) const = default;
};
struct TagsChanged {
  std::vector<std::string> tags;  // normalized (lower case), sorted, unique
  bool operator==(const TagsChanged&) const = default;
};
struct PreferencesChanged {
  Preferences preferences;
  bool operator==(const PreferencesChanged&) const = default;
};
struct ConsentGiven {
  ConsentPurpose purpose = ConsentPurpose::Personalization;
  bool operator==(const ConsentGiven&) const = default;
};
struct ConsentWithdrawn {
  ConsentPurpose purpose = ConsentPurpose::Personalization;
  bool operator==(const ConsentWithdrawn&) const = default;
};
struct LoggedIn {
  LoginMethod method = LoginMethod::Password;
  std::string ip_address;
  std::string user_agent;
  bool operator==(const LoggedIn&) const = default;
};
struct ErasureRequested {
  bool operator==(const ErasureRequested&) const = default;
};
// Carries nothing personal: it outlives the customer's key.
struct Erased {
  std::string reason_code;
  std::string legal_basis;
  std::string requested_by;
  bool operator==(const Erased&) const = default;
};
struct AddressAdded {
  AddressId address_id;
  std::string alias;
  AddressKind kind = AddressKind::Home;
  PostalAddress postal;
  bool operator==(const AddressAdded&) const = default;
};
struct AddressUpdated {
  AddressId address_id;
  std::string alias;
  AddressKind kind = AddressKind::Home;
  PostalAddress postal;
  bool operator==(const AddressUpdated&) const = default;
};
struct AddressRemoved {
  AddressId address_id;
  bool operator==(const AddressRemoved&) const = default;
};
struct DefaultAddressSet {
  AddressId address_id;
  bool operator==(const DefaultAddressSet&) const = default;
};

using Event = std::variant<Registered, ProfileUpdated, EmailChanged, EmailVerified, PhoneVerified,
                           PasswordChanged, PasswordResetRequested, ExternalAccountLinked,
                           StatusChanged, TypeChanged, NoteAdded, TagsChanged, PreferencesChanged,
                           ConsentGiven, ConsentWithdrawn, LoggedIn, ErasureRequested, Erased,
                           AddressAdded, AddressUpdated, AddressRemoved, DefaultAddressSet>;

// ---- state and decider ----------------------------------------------------------------------

struct State {
  bool registered = false;
  bool erased = false;
  bool erasure_requested = false;
  CustomerId id;
  std::string email;
  std::string phone;
  std::string password_hash;  // opaque (argon2id string); empty for a federated-only account
  Status status = Status::Active;
  Type type = Type::Regular;
  bool email_verified = false;
  bool phone_verified = false;
  Preferences preferences;
  std::vector<std::string> tags;
  std::vector<Address> addresses;  // in the order they were added
  std::optional<AddressId> default_address;
  std::set<Provider> linked_providers;
  std::set<ConsentPurpose> consents;

  bool operator==(const State&) const = default;
};

// Returns the events `command` causes in `state` (possibly none: the command changes nothing),
// or the rule it breaks. Pure.
Result<std::vector<Event>> decide(const Command& command, const State& state, const Context& ctx);

// Applies one event. Holds no rule: every event it is given was decided already. Pure.
State evolve(State state, const Event& event);

}  // namespace clientele::customer

namespace clientele {

template <>
struct EnumNames<customer::Status> {
  static constexpr std::array<std::pair<customer::Status, std::string_view>, 3> values{{
      {customer::Status::Active, "Active"},
      {customer::Status::Inactive, "Inactive"},
      {customer::Status::Suspended, "Suspended"},
  }};
};
template <>
struct EnumNames<customer::Type> {
  static constexpr std::array<std::pair<customer::Type, std::string_view>, 3> values{{
      {customer::Type::Regular, "Regular"},
      {customer::Type::Premium, "Premium"},
      {customer::Type::VIP, "VIP"},
  }};
};
template <>
struct EnumNames<customer::Gender> {
  static constexpr std::array<std::pair<customer::Gender, std::string_view>, 4> values{{
      {customer::Gender::Male, "male"},
      {customer::Gender::Female, "female"},
      {customer::Gender::Other, "other"},
      {customer::Gender::Undisclosed, "undisclosed"},
  }};
};
template <>
struct EnumNames<customer::Provider> {
  static constexpr std::array<std::pair<customer::Provider, std::string_view>, 3> values{{
      {customer::Provider::Google, "google"},
      {customer::Provider::Kakao, "kakao"},
      {customer::Provider::Apple, "apple"},
  }};
};
template <>
struct EnumNames<customer::ConsentPurpose> {
  static constexpr std::array<std::pair<customer::ConsentPurpose, std::string_view>, 1> values{{
      {customer::ConsentPurpose::Personalization, "personalization"},
  }};
};
template <>
struct EnumNames<customer::LoginMethod> {
  static constexpr std::array<std::pair<customer::LoginMethod, std::string_view>, 3> values{{
      {customer::LoginMethod::Password, "password"},
      {customer::LoginMethod::PhoneOtp, "phone-otp"},
      {customer::LoginMethod::Federated, "federated"},
  }};
};

}  // namespace clientele
