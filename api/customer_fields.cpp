#include "api/customer_fields.hpp"

#include "events/json.hpp"

namespace clientele::api {

std::optional<Date> read_date(RequestReader& body, std::string_view name, Presence presence) {
  const auto text = body.string(name, presence, 10);
  if (!text) return std::nullopt;
  auto date = parse_date(*text);
  if (!date) body.fail(name, "must be a date: YYYY-MM-DD");
  return date;
}

std::optional<customer::Gender> read_gender(RequestReader& body, std::string_view name,
                                            Presence presence) {
  const auto text = body.string(name, presence, 20);
  if (!text) return std::nullopt;
  auto gender = enum_from_string<customer::Gender>(*text);
  if (!gender) body.fail(name, "must be one of male, female, other, undisclosed");
  return gender;
}

customer::Preferences PreferencesChange::over(customer::Preferences base) const {
  if (newsletter) base.newsletter = *newsletter;
  if (notifications) base.notifications = *notifications;
  if (language) base.language = *language;
  if (currency) base.currency = *currency;
  return base;
}

std::optional<PreferencesChange> read_preferences(RequestReader& body, Presence presence) {
  auto object = body.object("preferences", presence);
  if (!object) return std::nullopt;
  return PreferencesChange{.newsletter = object->boolean("newsletter", Presence::optional),
                           .notifications = object->boolean("notifications", Presence::optional),
                           .language = object->string("language", Presence::optional, 20),
                           .currency = object->string("currency", Presence::optional, 3)};
}

}  // namespace clientele::api

namespace clientele::api {

nlohmann::json customer_resource(nlohmann::json profile, Viewer viewer) {
  static constexpr std::pair<const char*, const char*> kCopied[] = {
      {"customerId", "customerId"},
      {"username", "username"},
      {"email", "email"},
      {"firstName", "firstName"},
      {"lastName", "lastName"},
      {"phone", "phone"},
      {"dateOfBirth", "dateOfBirth"},
      {"gender", "gender"},
      {"companyName", "companyName"},
      {"status", "status"},
      {"type", "customerType"},
      {"emailVerified", "emailVerified"},
      {"phoneVerified", "phoneVerified"},
      {"preferences", "preferences"},
      {"marketingEmails", "marketingEmails"},
      {"marketingSms", "marketingSms"},
      {"tags", "tags"},
      {"loginCount", "loginCount"},
      {"lastLoginAt", "lastLoginAt"},
      {"createdAt", "createdAt"},
      {"updatedAt", "updatedAt"},
      {"erasedAt", "erasedAt"},
  };
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [from, to] : kCopied) {
    if (const auto it = profile.find(from); it != profile.end()) out[to] = std::move(*it);
  }
  if (profile.value("erased", false)) return out;
  // From `out`: the members copied have left `profile`.
  out["fullName"] =
      out.value("firstName", std::string()) + " " + out.value("lastName", std::string());
  out["isVerified"] = out.value("emailVerified", false);
  out["customerSince"] = out.value("createdAt", nlohmann::json());
  if (viewer == Viewer::staff) {
    out["notes"] = nlohmann::json::array();
    for (const auto& note : profile.value("notes", nlohmann::json::array())) {
      out["notes"].push_back(
          {{"note", note.value("note", "")}, {"addedAt", note["at"]}, {"addedBy", note["by"]}});
    }
  }
  return out;
}

}  // namespace clientele::api
