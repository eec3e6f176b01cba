#pragma once
// Reading the customer fields that several routes take (register, PUT /me, the administrators'
// updates), so that each is read — and refused — the same way everywhere.

#include <optional>

#include "api/request_reader.hpp"
#include "domain/customer.hpp"

namespace clientele::api {

// "YYYY-MM-DD" in member `name`; a problem for any other string.
std::optional<Date> read_date(RequestReader& body, std::string_view name, Presence presence);

// "male", "female", "other" or "undisclosed" in member `name`.
std::optional<customer::Gender> read_gender(RequestReader& body, std::string_view name,
                                            Presence presence);

// The members of a request's `preferences` object: those it leaves out keep their values.
struct PreferencesChange {
  std::optional<bool> newsletter;
  std::optional<bool> notifications;
  std::optional<std::string> language;
  std::optional<std::string> currency;

  // `base` with the members this change sets.
  customer::Preferences over(customer::Preferences base) const;
};

// The object `preferences` {newsletter, notifications, language, currency}.
std::optional<PreferencesChange> read_preferences(RequestReader& body, Presence presence);

}  // namespace clientele::api

namespace clientele::api {

// Who a customer resource is for: staff see the notes staff added, the customer does not.
enum class Viewer { customer, staff };

// The customer resource (DESIGN.md §6) from the profile read model's document, as `viewer` sees
// it, without the model's internal members. An erased customer's document gives the anonymous
// record. Takes `profile` by value: pass it moved when it is not needed after.
nlohmann::json customer_resource(nlohmann::json profile, Viewer viewer);

}  // namespace clientele::api
