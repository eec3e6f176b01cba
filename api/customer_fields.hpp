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

// The object `preferences` {newsletter, notifications, language, currency}; members left out
// keep the values of `base`.
std::optional<customer::Preferences> read_preferences(RequestReader& body, Presence presence,
                                                      customer::Preferences base = {});

}  // namespace clientele::api

namespace clientele::api {

// The customer resource (DESIGN.md §6) from the profile read model's document, as the customer
// sees it: staff notes and the model's internal members left out. An erased customer's document
// gives the anonymous record.
nlohmann::json customer_resource(const nlohmann::json& profile);

}  // namespace clientele::api
