#include "projections/customer_profile.hpp"

#include <algorithm>
#include <string>

#include "domain/validation.hpp"
#include "events/json.hpp"

namespace clientele::projections {
namespace {

using nlohmann::json;

std::string profile_key(const CustomerId& id) {
  return "c/" + id.str();
}

json preferences_doc(const customer::Preferences& p) {
  return {{"newsletter", p.newsletter},
          {"notifications", p.notifications},
          {"language", p.language},
          {"currency", p.currency}};
}

// Adds `value` to the array `doc[member]` unless it is there.
void add_once(json& doc, const char* member, const json& value) {
  auto& list = doc[member];
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

// What one customer event changes in the profile document and its lookups.
class Apply {
 public:
  Apply(const CustomerProfiles& model, const Folded& event, Rows& rows, json& doc)
      : model_(model), event_(event), rows_(rows), doc_(doc) {}

  void operator()(const customer::Registered& e) {
    const auto& envelope = event_.envelope;
    doc_ = {{"customerId", envelope.customer_id.str()},
            {"username", e.username},
            {"email", e.email},
            {"firstName", e.first_name},
            {"lastName", e.last_name},
            {"phone", e.phone},
            {"dateOfBirth", e.date_of_birth},
            {"gender", e.gender},
            {"companyName", e.company_name},
            {"status", "Active"},
            {"type", "Regular"},
            {"emailVerified", false},
            {"phoneVerified", false},
            {"preferences", preferences_doc(e.preferences)},
            {"marketingEmails", e.marketing_emails},
            {"marketingSms", e.marketing_sms},
            {"tags", json::array()},
            {"notes", json::array()},
            {"consents", json::array()},
            {"linkedProviders", json::array()},
            {"defaultAddressId", nullptr},
            {"loginCount", 0},
            {"lastLoginAt", nullptr},
            {"createdAt", envelope.at},
            {"erasureRequested", false},
            {"erased", false}};
    if (envelope.erased) return;  // its key is gone: nothing to look up by
    rows_.put(model_.email_key(e.email), envelope.customer_id.str());
    rows_.put(model_.username_key(e.username), envelope.customer_id.str());
  }
  void operator()(const customer::ProfileUpdated& e) {
    if (e.first_name) doc_["firstName"] = *e.first_name;
    if (e.last_name) doc_["lastName"] = *e.last_name;
    if (e.phone) {
      doc_["phone"] = *e.phone;
      doc_["phoneVerified"] = false;
    }
    if (e.date_of_birth) doc_["dateOfBirth"] = *e.date_of_birth;
    if (e.gender) doc_["gender"] = *e.gender;
    if (e.company_name) doc_["companyName"] = *e.company_name;
    if (e.marketing_emails) doc_["marketingEmails"] = *e.marketing_emails;
    if (e.marketing_sms) doc_["marketingSms"] = *e.marketing_sms;
  }
  void operator()(const customer::EmailChanged& e) {
    remove_email_lookup();
    doc_["email"] = e.email;
    doc_["emailVerified"] = false;
    if (!event_.envelope.erased)
      rows_.put(model_.email_key(e.email), event_.envelope.customer_id.str());
  }
  void operator()(const customer::EmailVerified&) { doc_["emailVerified"] = true; }
  void operator()(const customer::PhoneVerified&) { doc_["phoneVerified"] = true; }
  void operator()(const customer::PasswordChanged&) {}
  void operator()(const customer::PasswordResetRequested&) {}
  void operator()(const customer::ExternalAccountLinked& e) {
    add_once(doc_, "linkedProviders", e.provider);
  }
  void operator()(const customer::StatusChanged& e) { doc_["status"] = e.to; }
  void operator()(const customer::TypeChanged& e) { doc_["type"] = e.to; }
  void operator()(const customer::NoteAdded& e) {
    doc_["notes"].push_back(
        {{"note", e.note}, {"at", event_.envelope.at}, {"by", event_.envelope.actor.id.str()}});
  }
  void operator()(const customer::TagsChanged& e) { doc_["tags"] = e.tags; }
  void operator()(const customer::PreferencesChanged& e) {
    doc_["preferences"] = preferences_doc(e.preferences);
  }
  void operator()(const customer::ConsentGiven& e) { add_once(doc_, "consents", e.purpose); }
  void operator()(const customer::ConsentWithdrawn& e) {
    auto& consents = doc_["consents"];
    consents.erase(std::remove(consents.begin(), consents.end(), json(e.purpose)), consents.end());
  }
  void operator()(const customer::LoggedIn&) {
    doc_["loginCount"] = doc_.value("loginCount", 0) + 1;
    doc_["lastLoginAt"] = event_.envelope.at;
  }
  void operator()(const customer::ErasureRequested&) { doc_["erasureRequested"] = true; }
  void operator()(const customer::Erased&) {
    remove_email_lookup();
    if (const auto username = doc_.value("username", std::string()); !username.empty())
      rows_.remove(model_.username_key(username));
    json kept;
    for (const char* member : {"customerId", "type", "createdAt", "loginCount"})
      kept[member] = doc_[member];
    kept["status"] = "Erased";
    kept["erased"] = true;
    kept["erasedAt"] = event_.envelope.at;
    doc_ = std::move(kept);
  }
  void operator()(const customer::AddressAdded&) {}
  void operator()(const customer::AddressUpdated&) {}
  void operator()(const customer::AddressRemoved& e) {
    if (doc_["defaultAddressId"] == json(e.address_id)) doc_["defaultAddressId"] = nullptr;
  }
  void operator()(const customer::DefaultAddressSet& e) { doc_["defaultAddressId"] = e.address_id; }

 private:
  void remove_email_lookup() {
    if (const auto email = doc_.value("email", std::string()); !email.empty())
      rows_.remove(model_.email_key(email));
  }

  const CustomerProfiles& model_;  // the key layout
  const Folded& event_;            // the event applied
  Rows& rows_;                     // the model's rows
  json& doc_;                      // the customer's profile document
};

}  // namespace

std::string CustomerProfiles::email_key(std::string_view email) const {
  return "e/" + events::blind_index(pepper_, email);
}

std::string CustomerProfiles::username_key(std::string_view username) const {
  return "u/" + events::username_index(pepper_, username);
}

Result<void> CustomerProfiles::evolve(const Folded& event, Rows& rows) const {
  const auto* body = std::get_if<customer::Event>(&event.event);
  if (body == nullptr) return success();
  const auto key = profile_key(event.envelope.customer_id);
  auto stored = rows.get_doc(key);
  if (!stored) return stored.error();
  const bool registration = std::holds_alternative<customer::Registered>(*body);
  if (!*stored && !registration) return success();  // no profile to change
  json doc = stored->value_or(json::object());
  if (doc.value("erased", false) && !registration) {
    doc["updatedAt"] = event.envelope.at;  // nothing personal is kept after erasure
    rows.put_doc(key, std::move(doc));
    return success();
  }
  std::visit(Apply(*this, event, rows, doc), *body);
  doc["version"] = event.envelope.seq.value;
  doc["updatedAt"] = event.envelope.at;
  rows.put_doc(key, std::move(doc));
  return success();
}

Result<std::optional<nlohmann::json>> CustomerProfiles::find(const Snapshot& snapshot,
                                                             const Namespace& ns,
                                                             const CustomerId& id) const {
  auto stored = snapshot.get(ns, profile_key(id));
  if (!stored) return stored.error();
  if (!*stored) return std::optional<json>();
  auto doc = parse_doc(**stored);
  if (!doc) return doc.error();
  return std::optional<json>(std::move(*doc));
}

namespace {

Result<std::optional<CustomerId>> lookup(const Snapshot& snapshot, const Namespace& ns,
                                         const std::string& key) {
  auto stored = snapshot.get(ns, key);
  if (!stored) return stored.error();
  if (!*stored) return std::optional<CustomerId>();
  return std::optional<CustomerId>(CustomerId(std::move(**stored)));
}

}  // namespace

Result<std::optional<CustomerId>> CustomerProfiles::find_by_email(const Snapshot& snapshot,
                                                                  const Namespace& ns,
                                                                  std::string_view email) const {
  return lookup(snapshot, ns, email_key(email));
}

Result<std::optional<CustomerId>> CustomerProfiles::find_by_username(
    const Snapshot& snapshot, const Namespace& ns, std::string_view username) const {
  return lookup(snapshot, ns, username_key(username));
}

}  // namespace clientele::projections
