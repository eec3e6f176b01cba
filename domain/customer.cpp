#include "domain/customer.hpp"

#include <algorithm>
#include <chrono>
#include <concepts>
#include <optional>
#include <string>
#include <vector>

#include "domain/validation.hpp"

namespace clientele::customer {
namespace {

using Events = std::vector<Event>;
using Decision = Result<Events>;

constexpr std::size_t kMaxPasswordHash = 1024;  // bytes of the opaque hash string
constexpr std::size_t kMaxTagLength = 30;
constexpr Date kEarliestBirthDate{std::chrono::year{1900}, std::chrono::January,
                                  std::chrono::day{1}};

// ---- shared checks --------------------------------------------------------------------------

bool is_ascii_lower_or_digit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// True iff `s` is 3..30 characters of [a-z0-9].
bool is_username(std::string_view s) {
  return s.size() >= 3 && s.size() <= 30 && std::ranges::all_of(s, is_ascii_lower_or_digit);
}

Result<void> check_name(std::string_view field, std::string_view value) {
  return check_text(field, value, 2, 100);
}

// Empty means "no phone".
Result<void> check_optional_phone(std::string_view field, std::string_view value) {
  return value.empty() ? success() : check_phone(field, value);
}

Result<void> check_company_name(std::string_view field, std::string_view value) {
  return check_optional_text(field, value, 100);
}

// A real calendar date from 1900-01-01 up to and including the day of `now` (UTC).
Result<void> check_date_of_birth(std::string_view field, const Date& date, Timestamp now) {
  const bool in_range = date.ok() && date >= kEarliestBirthDate &&
                        std::chrono::sys_days{date} <= std::chrono::floor<std::chrono::days>(now);
  if (in_range) return success();
  return make_error(errc::invalid, std::string(field),
                    "must be a date between 1900-01-01 and today");
}

// Empty is allowed only when `required` is false; at most 1024 bytes.
Result<void> check_password_hash(std::string_view hash, bool required) {
  if (required && hash.empty()) return make_error(errc::invalid, "password", "is required");
  if (hash.size() > kMaxPasswordHash) return make_error(errc::invalid, "password", "is too long");
  return success();
}

Result<void> check_preferences(const Preferences& p) {
  if (!is_language_tag(p.language)) {
    return make_error(errc::invalid, "preferences.language",
                      "must be a language tag such as en or en-US");
  }
  if (!p.currency.empty() && !is_currency_code(p.currency)) {
    return make_error(errc::invalid, "preferences.currency",
                      "must be an ISO 4217 currency code such as USD");
  }
  return success();
}

// Applies `check(field, *value)` when `value` is present; an absent field is valid.
template <class T, class Check>
Result<void> check_if_present(std::string_view field, const std::optional<T>& value, Check check) {
  return value ? check(field, *value) : success();
}

// Checks every present field of a profile as registration does.
Result<void> check_profile(const UpdateProfile& p, const Context& ctx) {
  const auto birth_date = [&ctx](std::string_view field, const Date& date) {
    return check_date_of_birth(field, date, ctx.now);
  };
  if (auto r = check_if_present("firstName", p.first_name, check_name); !r) return r;
  if (auto r = check_if_present("lastName", p.last_name, check_name); !r) return r;
  if (auto r = check_if_present("phone", p.phone, check_optional_phone); !r) return r;
  if (auto r = check_if_present("dateOfBirth", p.date_of_birth, birth_date); !r) return r;
  return check_if_present("companyName", p.company_name, check_company_name);
}

// The profile part of a registration, as an update that sets every field.
UpdateProfile profile_of(const Register& c) {
  return UpdateProfile{.first_name = c.first_name,
                       .last_name = c.last_name,
                       .phone = c.phone,
                       .date_of_birth = c.date_of_birth,
                       .gender = c.gender,
                       .company_name = c.company_name,
                       .marketing_emails = c.marketing_emails,
                       .marketing_sms = c.marketing_sms};
}

// The tag trimmed and lower-cased, or nullopt unless that is 1..30 characters of [a-z0-9_-].
std::optional<std::string> normalize_tag(std::string_view tag) {
  constexpr std::string_view kSpace = " \t\r\n\f\v";
  const auto first = tag.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return std::nullopt;
  const auto last = tag.find_last_not_of(kSpace);
  std::string out = ascii_lower(tag.substr(first, last - first + 1));
  const bool allowed = std::ranges::all_of(
      out, [](char c) { return is_ascii_lower_or_digit(c) || c == '_' || c == '-'; });
  if (!allowed || out.size() > kMaxTagLength) return std::nullopt;
  return out;
}

// The tags normalized, deduplicated and sorted, or the rule they break.
Result<std::vector<std::string>> normalize_tags(const std::vector<std::string>& tags) {
  std::vector<std::string> out;
  for (const auto& tag : tags) {
    auto normalized = normalize_tag(tag);
    if (!normalized) {
      return make_error(errc::invalid, "tags",
                        "each tag must be 1 to 30 characters of a-z, 0-9, _ and -");
    }
    out.push_back(std::move(*normalized));
  }
  std::ranges::sort(out);
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (out.size() > kMaxTags) {
    return make_error(errc::invalid, "tags",
                      "must hold at most " + std::to_string(kMaxTags) + " distinct tags");
  }
  return out;
}

// The shape of an address book entry; postal errors name the bare field ("city").
Result<void> check_address_entry(const AddressId& id, std::string_view alias,
                                 const PostalAddress& postal) {
  if (id.empty()) return make_error(errc::invalid, "addressId", "is required");
  if (auto r = check_text("alias", alias, 1, 50); !r) return r;
  return validate_postal_address(postal);
}

// The entry with `id`, or nullptr.
const Address* find_address(const State& s, const AddressId& id) {
  const auto it = std::ranges::find(s.addresses, id, &Address::id);
  return it == s.addresses.end() ? nullptr : &*it;
}

// A conflict iff an entry other than `self` uses `alias`, compared case-insensitively (ASCII).
Result<void> check_alias_free(const State& s, std::string_view alias, const AddressId& self) {
  const std::string wanted = ascii_lower(alias);
  const bool taken = std::ranges::any_of(s.addresses, [&](const Address& a) {
    return a.id != self && ascii_lower(a.alias) == wanted;
  });
  if (!taken) return success();
  return make_error(errc::conflict, "alias", "another address already uses this alias");
}

Error address_not_found() {
  return make_error(errc::not_found, "addressId", "no address with this id");
}

// ---- step 1: the shape of each command, independent of the state ----------------------------

// Commands made only of enumerators, or of ids that are checked against the state.
template <class C>
concept WithoutShapeRules = std::same_as<C, VerifyEmail> || std::same_as<C, VerifyPhone> ||
    std::same_as<C, RequestPasswordReset> || std::same_as<C, ChangeType> ||
    std::same_as<C, GiveConsent> || std::same_as<C, WithdrawConsent> ||
    std::same_as<C, RequestErasure> || std::same_as<C, RemoveAddress> ||
    std::same_as<C, SetDefaultAddress>;

template <WithoutShapeRules C>
Result<void> check_shape(const C&, const Context&) {
  return success();
}

Result<void> check_shape(const LinkExternalAccount& c, const Context&) {
  return check_text("externalUserId", c.external_user_id, 1, 255);
}

Result<void> check_shape(const Register& c, const Context& ctx) {
  if (c.customer_id.empty()) return make_error(errc::invalid, "customerId", "is required");
  if (!is_username(c.username)) {
    return make_error(errc::invalid, "username", "must be 3 to 30 characters of a-z and 0-9");
  }
  if (auto r = check_email("email", c.email); !r) return r;
  if (auto r = check_profile(profile_of(c), ctx); !r) return r;
  if (auto r = check_password_hash(c.password_hash, /*required=*/false); !r) return r;
  if (c.external_account) {
    if (auto r = check_shape(*c.external_account, ctx); !r) return r;
  }
  return check_preferences(c.preferences);
}

Result<void> check_shape(const UpdateProfile& c, const Context& ctx) {
  return check_profile(c, ctx);
}

Result<void> check_shape(const ChangeEmail& c, const Context&) {
  return check_email("email", c.email);
}

Result<void> check_shape(const ChangePassword& c, const Context&) {
  return check_password_hash(c.password_hash, /*required=*/true);
}

Result<void> check_shape(const ChangeStatus& c, const Context&) {
  return check_optional_text("reason", c.reason, kMaxStatusReason);
}

Result<void> check_shape(const AddNote& c, const Context&) {
  return check_text("note", c.note, 1, kMaxNote, /*multiline=*/true);
}

Result<void> check_shape(const SetTags& c, const Context&) {
  if (auto tags = normalize_tags(c.tags); !tags) return tags.error();
  return success();
}

Result<void> check_shape(const ChangePreferences& c, const Context&) {
  return check_preferences(c.preferences);
}

Result<void> check_shape(const RecordLogin& c, const Context&) {
  if (auto r = check_optional_text("ipAddress", c.ip_address, 45); !r) return r;
  return check_optional_text("userAgent", c.user_agent, 500);
}

Result<void> check_shape(const Erase& c, const Context&) {
  if (auto r = check_text("reasonCode", c.reason_code, 1, 50); !r) return r;
  if (auto r = check_text("legalBasis", c.legal_basis, 1, 200); !r) return r;
  return check_text("requestedBy", c.requested_by, 1, 100);
}

Result<void> check_shape(const AddAddress& c, const Context&) {
  return check_address_entry(c.address_id, c.alias, c.postal);
}

Result<void> check_shape(const UpdateAddress& c, const Context&) {
  return check_address_entry(c.address_id, c.alias, c.postal);
}

// ---- step 2: existence and erasure ----------------------------------------------------------

// nullopt lets the command reach its rules; otherwise the final answer.
std::optional<Decision> check_lifecycle(const Register&, const State& s) {
  if (s.registered) return make_error(errc::conflict, "customerId", "customer already exists");
  return std::nullopt;
}

template <class C>
std::optional<Decision> check_lifecycle(const C&, const State& s) {
  if (!s.registered) return make_error(errc::not_found, "", "customer not found");
  if (!s.erased) return std::nullopt;
  if constexpr (std::same_as<C, Erase>) {
    return Decision(Events{});  // erasing twice changes nothing
  } else {
    return make_error(errc::conflict, "", "customer has been erased");
  }
}

// ---- step 3: the rules of each command on a live customer -----------------------------------

Decision handle(const Register& c, const State&) {
  Events events{Registered{.customer_id = c.customer_id,
                           .username = c.username,
                           .email = normalize_email(c.email),
                           .password_hash = c.password_hash,
                           .first_name = c.first_name,
                           .last_name = c.last_name,
                           .phone = c.phone,
                           .date_of_birth = c.date_of_birth,
                           .gender = c.gender,
                           .company_name = c.company_name,
                           .preferences = c.preferences,
                           .marketing_emails = c.marketing_emails,
                           .marketing_sms = c.marketing_sms}};
  if (c.external_account) {
    events.emplace_back(
        ExternalAccountLinked{c.external_account->provider, c.external_account->external_user_id});
  }
  if (c.email_verified) events.emplace_back(EmailVerified{});
  return events;
}

Decision handle(const UpdateProfile& c, const State& s) {
  ProfileUpdated e{.first_name = c.first_name,
                   .last_name = c.last_name,
                   .phone = c.phone,
                   .date_of_birth = c.date_of_birth,
                   .gender = c.gender,
                   .company_name = c.company_name,
                   .marketing_emails = c.marketing_emails,
                   .marketing_sms = c.marketing_sms};
  if (e.phone == s.phone) e.phone.reset();  // the phone is the only profile field State knows
  if (e == ProfileUpdated{}) return Events{};
  return Events{std::move(e)};
}

Decision handle(const ChangeEmail& c, const State& s) {
  std::string email = normalize_email(c.email);
  if (email == s.email) return Events{};
  return Events{EmailChanged{std::move(email)}};
}

Decision handle(const VerifyEmail&, const State& s) {
  if (s.email_verified) return Events{};
  return Events{EmailVerified{}};
}

Decision handle(const VerifyPhone&, const State& s) {
  if (s.phone.empty()) return make_error(errc::invalid, "phone", "there is no phone to verify");
  if (s.phone_verified) return Events{};
  return Events{PhoneVerified{}};
}

Decision handle(const ChangePassword& c, const State&) {
  return Events{PasswordChanged{c.password_hash}};
}

Decision handle(const RequestPasswordReset&, const State& s) {
  if (s.status == Status::Suspended) {
    return make_error(errc::forbidden, "status", "a suspended customer cannot reset the password");
  }
  return Events{PasswordResetRequested{}};
}

Decision handle(const LinkExternalAccount& c, const State& s) {
  if (s.linked_providers.contains(c.provider)) {
    return make_error(errc::conflict, "provider", "an account of this provider is already linked");
  }
  return Events{ExternalAccountLinked{c.provider, c.external_user_id}};
}

Decision handle(const ChangeStatus& c, const State& s) {
  if (c.status == s.status) return Events{};
  return Events{StatusChanged{s.status, c.status, c.reason}};
}

Decision handle(const ChangeType& c, const State& s) {
  if (c.type == s.type) return Events{};
  return Events{TypeChanged{s.type, c.type}};
}

Decision handle(const AddNote& c, const State&) {
  return Events{NoteAdded{c.note}};
}

Decision handle(const SetTags& c, const State& s) {
  auto tags = normalize_tags(c.tags);
  if (!tags) return tags.error();
  if (*tags == s.tags) return Events{};
  return Events{TagsChanged{std::move(tags).value()}};
}

Decision handle(const ChangePreferences& c, const State& s) {
  if (c.preferences == s.preferences) return Events{};
  return Events{PreferencesChanged{c.preferences}};
}

Decision handle(const GiveConsent& c, const State& s) {
  if (s.consents.contains(c.purpose)) return Events{};
  return Events{ConsentGiven{c.purpose}};
}

Decision handle(const WithdrawConsent& c, const State& s) {
  if (!s.consents.contains(c.purpose)) return Events{};
  return Events{ConsentWithdrawn{c.purpose}};
}

Decision handle(const RecordLogin& c, const State& s) {
  if (s.status != Status::Active) {
    return make_error(errc::forbidden, "status", "only an active customer can log in");
  }
  return Events{LoggedIn{c.method, c.ip_address, c.user_agent}};
}

Decision handle(const RequestErasure&, const State& s) {
  if (s.erasure_requested) return Events{};
  return Events{ErasureRequested{}};
}

Decision handle(const Erase& c, const State&) {
  return Events{Erased{c.reason_code, c.legal_basis, c.requested_by}};
}

Decision handle(const AddAddress& c, const State& s) {
  if (find_address(s, c.address_id)) {
    return make_error(errc::conflict, "addressId", "an address with this id already exists");
  }
  if (auto r = check_alias_free(s, c.alias, c.address_id); !r) return r.error();
  if (s.addresses.size() >= kMaxAddresses) {
    return make_error(errc::conflict, "addresses",
                      "at most " + std::to_string(kMaxAddresses) + " addresses are allowed");
  }
  Events events{AddressAdded{c.address_id, c.alias, c.kind, c.postal}};
  if (s.addresses.empty() || c.make_default) events.push_back(DefaultAddressSet{c.address_id});
  return events;
}

Decision handle(const UpdateAddress& c, const State& s) {
  const Address* current = find_address(s, c.address_id);
  if (!current) return address_not_found();
  if (auto r = check_alias_free(s, c.alias, c.address_id); !r) return r.error();
  if (*current == Address{c.address_id, c.alias, c.kind, c.postal}) return Events{};
  return Events{AddressUpdated{c.address_id, c.alias, c.kind, c.postal}};
}

// Keeps exactly one default while any address remains: the first remaining one, in added order,
// succeeds a removed default.
Decision handle(const RemoveAddress& c, const State& s) {
  if (!find_address(s, c.address_id)) return address_not_found();
  Events events{AddressRemoved{c.address_id}};
  if (s.default_address != c.address_id) return events;
  const auto next =
      std::ranges::find_if(s.addresses, [&](const Address& a) { return a.id != c.address_id; });
  if (next != s.addresses.end()) events.push_back(DefaultAddressSet{next->id});
  return events;
}

Decision handle(const SetDefaultAddress& c, const State& s) {
  if (!find_address(s, c.address_id)) return address_not_found();
  if (s.default_address == c.address_id) return Events{};
  return Events{DefaultAddressSet{c.address_id}};
}

// ---- evolve ---------------------------------------------------------------------------------

void apply(State& s, const Registered& e) {
  s.registered = true;
  s.id = e.customer_id;
  s.email = e.email;
  s.phone = e.phone;
  s.password_hash = e.password_hash;
  s.preferences = e.preferences;
}

void apply(State& s, const ProfileUpdated& e) {
  if (!e.phone) return;
  s.phone = *e.phone;
  s.phone_verified = false;
}

void apply(State& s, const EmailChanged& e) {
  s.email = e.email;
  s.email_verified = false;
}

void apply(State& s, const EmailVerified&) {
  s.email_verified = true;
}
void apply(State& s, const PhoneVerified&) {
  s.phone_verified = true;
}
void apply(State& s, const PasswordChanged& e) {
  s.password_hash = e.password_hash;
}
void apply(State&, const PasswordResetRequested&) {}
void apply(State& s, const ExternalAccountLinked& e) {
  s.linked_providers.insert(e.provider);
}
void apply(State& s, const StatusChanged& e) {
  s.status = e.to;
}
void apply(State& s, const TypeChanged& e) {
  s.type = e.to;
}
void apply(State&, const NoteAdded&) {}
void apply(State& s, const TagsChanged& e) {
  s.tags = e.tags;
}
void apply(State& s, const PreferencesChanged& e) {
  s.preferences = e.preferences;
}
void apply(State& s, const ConsentGiven& e) {
  s.consents.insert(e.purpose);
}
void apply(State& s, const ConsentWithdrawn& e) {
  s.consents.erase(e.purpose);
}
void apply(State&, const LoggedIn&) {}
void apply(State& s, const ErasureRequested&) {
  s.erasure_requested = true;
}

// Keeps only what is not personal: the id, lifecycle, status and type.
void apply(State& s, const Erased&) {
  s.erased = true;
  s.email.clear();
  s.email_verified = false;
  s.phone.clear();
  s.phone_verified = false;
  s.tags.clear();
  s.addresses.clear();
  s.default_address.reset();
}

void apply(State& s, const AddressAdded& e) {
  s.addresses.push_back(Address{e.address_id, e.alias, e.kind, e.postal});
}

void apply(State& s, const AddressUpdated& e) {
  const auto it = std::ranges::find(s.addresses, e.address_id, &Address::id);
  if (it == s.addresses.end()) return;
  it->alias = e.alias;
  it->kind = e.kind;
  it->postal = e.postal;
}

void apply(State& s, const AddressRemoved& e) {
  std::erase_if(s.addresses, [&](const Address& a) { return a.id == e.address_id; });
  if (s.default_address == e.address_id) s.default_address.reset();
}

void apply(State& s, const DefaultAddressSet& e) {
  s.default_address = e.address_id;
}

}  // namespace

Result<std::vector<Event>> decide(const Command& command, const State& state, const Context& ctx) {
  return std::visit(
      [&](const auto& c) -> Decision {
        if (auto shape = check_shape(c, ctx); !shape) return shape.error();
        if (auto settled = check_lifecycle(c, state)) return *std::move(settled);
        return handle(c, state);
      },
      command);
}

State evolve(State state, const Event& event) {
  std::visit([&state](const auto& e) { apply(state, e); }, event);
  return state;
}

}  // namespace clientele::customer
