#include "projections/customer_analytics.hpp"

#include <algorithm>
#include <chrono>
#include <string>

#include "events/json.hpp"
#include "projections/counters.hpp"

namespace clientele::projections {
namespace {

using nlohmann::json;
namespace chrono = std::chrono;

constexpr std::string_view kCounters = "p/";
constexpr std::string_view kDays = "d/";
constexpr double kDaysPerYear = 365.2425;  // the mean Gregorian year
constexpr std::int64_t kDaysPerMonth = 30;
constexpr std::int64_t kDaysPerWeek = 7;

std::string customer_key(const CustomerId& customer) {
  return "c/" + customer.str();
}

std::string counters_key(std::string_view partition) {
  return std::string(kCounters) + std::string(partition);
}

std::string day_key(std::string_view partition, Date day) {
  return std::string(kDays) + std::string(partition) + "/" + format_date(day);
}

chrono::sys_days utc_day(Timestamp t) {
  return chrono::floor<chrono::days>(t);
}

// A date as days since 1970-01-01; null when there is none.
json days_since_epoch(const std::optional<Date>& date) {
  if (!date) return nullptr;
  return static_cast<std::int64_t>(chrono::sys_days(*date).time_since_epoch().count());
}

// ---- the customer's row -----------------------------------------------------------------------

// One entry of the row's address list: [address id, country, city, state].
json address_entry(const AddressId& id, const PostalAddress& postal) {
  return json::array({id, postal.country, postal.city, postal.state});
}

// Drops every personal value of the row: gender, date of birth, cities and states.
void forget_personal(json& row) {
  row["gender"] = nullptr;
  row["birth"] = nullptr;
  for (auto& address : row["addresses"]) {
    address[2] = "";
    address[3] = "";
  }
}

// Changes the customer's row for one customer event.
struct Apply {
  json& row;

  void operator()(const customer::Registered& e) {
    row = {{"status", customer::Status::Active},
           {"type", customer::Type::Regular},
           {"verified", false},
           {"gender", e.gender},
           {"birth", days_since_epoch(e.date_of_birth)},
           {"addresses", json::array()},
           {"defaultAddress", nullptr}};
  }
  void operator()(const customer::ProfileUpdated& e) {
    if (e.gender) row["gender"] = *e.gender;
    if (e.date_of_birth) row["birth"] = days_since_epoch(e.date_of_birth);
  }
  void operator()(const customer::EmailChanged&) { row["verified"] = false; }
  void operator()(const customer::EmailVerified&) { row["verified"] = true; }
  void operator()(const customer::StatusChanged& e) { row["status"] = e.to; }
  void operator()(const customer::TypeChanged& e) { row["type"] = e.to; }
  void operator()(const customer::AddressAdded& e) {
    row["addresses"].push_back(address_entry(e.address_id, e.postal));
  }
  void operator()(const customer::AddressUpdated& e) {
    for (auto& address : row["addresses"]) {
      if (address.at(0) == json(e.address_id)) address = address_entry(e.address_id, e.postal);
    }
  }
  void operator()(const customer::AddressRemoved& e) {
    auto& addresses = row["addresses"];
    addresses.erase(std::remove_if(addresses.begin(), addresses.end(),
                                   [&](const json& a) { return a.at(0) == json(e.address_id); }),
                    addresses.end());
    if (row["defaultAddress"] == json(e.address_id)) row["defaultAddress"] = nullptr;
  }
  void operator()(const customer::DefaultAddressSet& e) { row["defaultAddress"] = e.address_id; }
  void operator()(const customer::Erased&) {
    row["status"] = "Erased";
    forget_personal(row);
  }
  template <class Other>
  void operator()(const Other&) {}
};

// ---- contributions and counters ---------------------------------------------------------------

// What one customer adds to its partition's counters. Empty strings and a missing date of birth
// count nowhere.
struct Contribution {
  std::string status;
  std::string type;
  bool verified = false;
  std::string country;
  std::string city;
  std::string state;
  std::string gender;
  std::optional<std::int64_t> birth;  // the date of birth as days since 1970-01-01

  bool operator==(const Contribution&) const = default;
};

// The address locating the customer: the default one, else the first added; null if none.
json location(const json& row) {
  const auto& addresses = row.at("addresses");
  for (const auto& address : addresses) {
    if (address.at(0) == row.at("defaultAddress")) return address;
  }
  return addresses.empty() ? json() : addresses.front();
}

// The contribution of the customer whose row is `row`. Throws json::exception on a malformed row.
Contribution contribution(const json& row) {
  Contribution c;
  c.status = row.at("status").get<std::string>();
  c.type = row.at("type").get<std::string>();
  c.verified = row.at("verified").get<bool>();
  if (const auto at = location(row); !at.is_null()) {
    c.country = at.at(1).get<std::string>();
    c.city = at.at(2).get<std::string>();
    c.state = at.at(3).get<std::string>();
  }
  if (const auto& gender = row.at("gender"); gender.is_string())
    c.gender = gender.get<std::string>();
  if (const auto& birth = row.at("birth"); birth.is_number()) c.birth = birth.get<std::int64_t>();
  return c;
}

json new_counters() {
  return {{"total", 0},
          {"verified", 0},
          {"byStatus", json::object()},
          {"byType", json::object()},
          {"byCountry", json::object()},
          {"byCity", json::object()},
          {"byGender", json::object()},
          {"byPlace", json::object()},
          {"births", 0},
          {"birthDays", 0}};
}

// Adds the location of `c` to the places (`sign` 1) or takes it away (`sign` -1), unless the
// customer is erased or located nowhere. A country nobody is located in leaves the places.
void count_place(json& counters, const Contribution& c, std::int64_t sign) {
  if (c.country.empty() || c.status == "Erased") return;
  auto& places = counters.at("byPlace");
  auto& place = places[c.country];
  if (place.is_null())
    place = {{"customers", 0}, {"cities", json::object()}, {"states", json::object()}};
  add(place, "customers", sign);
  add_to(place, "cities", c.city, sign);
  add_to(place, "states", c.state, sign);
  if (place.at("customers").get<std::int64_t>() == 0) places.erase(c.country);
}

// Adds the contribution `c` to the counters (`sign` 1) or takes it away (`sign` -1).
void count(json& counters, const Contribution& c, std::int64_t sign) {
  count_place(counters, c, sign);
  add(counters, "total", sign);
  if (c.verified) add(counters, "verified", sign);
  add_to(counters, "byStatus", c.status, sign);
  add_to(counters, "byType", c.type, sign);
  add_to(counters, "byCountry", c.country, sign);
  add_to(counters, "byCity", c.city, sign);
  add_to(counters, "byGender", c.gender, sign);
  if (c.birth) {
    add(counters, "births", sign);
    add(counters, "birthDays", sign * *c.birth);
  }
}

// Replaces the contribution `before` (nullopt for a new customer) with `after` in the counters
// of `partition`.
Result<void> recount(Rows& rows, std::string_view partition,
                     const std::optional<Contribution>& before, const Contribution& after) {
  if (before == after) return success();
  auto counters = rows.edit_doc(counters_key(partition));
  if (!counters) return counters.error();
  if ((*counters)->is_null()) **counters = new_counters();
  if (before) count(**counters, *before, -1);
  count(**counters, after, 1);
  return success();
}

// Counts one registration at `at` in its UTC day of `partition`.
Result<void> count_registration(Rows& rows, std::string_view partition, Timestamp at) {
  const auto key = day_key(partition, utc_day(at));
  auto stored = rows.get_doc(key);
  if (!stored) return stored.error();
  const auto registered = *stored ? (**stored).at("registered").get<std::int64_t>() : 0;
  rows.put_doc(key, {{"registered", registered + 1}});
  return success();
}

// Folds one customer event. Throws json::exception on a malformed row.
Result<void> fold(const Folded& event, const customer::Event& body, Rows& rows) {
  const auto key = customer_key(event.envelope.customer_id);
  auto stored = rows.get_doc(key);
  if (!stored) return stored.error();
  const bool registration = std::holds_alternative<customer::Registered>(body);
  if (!*stored && !registration) return success();  // no such customer
  // Registered twice, or erased: nothing changes any more.
  if (*stored && (registration || (**stored).at("status") == "Erased")) return success();
  json row = stored->value_or(json());
  std::visit(Apply{row}, body);
  if (event.envelope.erased) forget_personal(row);  // read after erasure: nothing personal counts
  const auto partition = partition_name(event.position.partition);
  if (registration) {
    if (auto counted = count_registration(rows, partition, event.envelope.at); !counted)
      return counted;
  }
  const auto before = *stored ? std::optional(contribution(**stored)) : std::nullopt;
  if (auto counted = recount(rows, partition, before, contribution(row)); !counted) return counted;
  if (row != stored->value_or(json())) rows.put_doc(key, std::move(row));
  return success();
}

// ---- the query --------------------------------------------------------------------------------

// The sums over partitions of the figures the overview is computed from.
struct Sums {
  std::int64_t births = 0;      // customers with a date of birth
  std::int64_t birth_days = 0;  // their dates of birth as days since 1970-01-01, summed
};

// Adds one partition's counters to `out` and `sums`. Throws json::exception when malformed.
void add_partition(const json& counters, AnalyticsOverview& out, Sums& sums) {
  out.total += counters.at("total").get<std::int64_t>();
  out.verified += counters.at("verified").get<std::int64_t>();
  add_counts(out.by_status, counters.at("byStatus"));
  add_counts(out.by_type, counters.at("byType"));
  add_counts(out.by_country, counters.at("byCountry"));
  add_counts(out.by_city, counters.at("byCity"));
  add_counts(out.by_gender, counters.at("byGender"));
  sums.births += counters.at("births").get<std::int64_t>();
  sums.birth_days += counters.at("birthDays").get<std::int64_t>();
}

// Adds the registrations of `partition` in the 30 UTC days ending with `today` to `out`.
// Throws json::exception when a row is malformed.
Result<void> add_registrations(const Snapshot& snapshot, const Namespace& ns,
                               std::string_view partition, chrono::sys_days today,
                               AnalyticsOverview& out) {
  const KeyRange range{day_key(partition, today - chrono::days(kDaysPerMonth - 1)),
                       day_key(partition, today + chrono::days(1))};
  auto days = scan_docs(snapshot, ns, range);
  if (!days) return days.error();
  for (const auto& [key, doc] : *days) {
    const auto day = parse_date(std::string_view(key).substr(kDays.size() + partition.size() + 1));
    if (!day) return make_error(errc::corrupt, "", "a customer_analytics day key is malformed");
    const auto ago = (today - chrono::sys_days(*day)).count();
    const auto registered = doc.at("registered").get<std::int64_t>();
    out.new_this_month += registered;
    if (ago < kDaysPerWeek) out.new_this_week += registered;
    if (ago == 0) out.new_today += registered;
  }
  return success();
}

// The mean age in years at `now` of the customers `sums` counts; nullopt when it counts none.
std::optional<double> average_age(const Sums& sums, Timestamp now) {
  if (sums.births == 0) return std::nullopt;
  const auto today = chrono::duration<double, chrono::days::period>(now.time_since_epoch());
  const double mean_birth = static_cast<double>(sums.birth_days) / static_cast<double>(sums.births);
  return (today.count() - mean_birth) / kDaysPerYear;
}

// Adds one partition's places to `out`. Throws json::exception when malformed.
void add_places(const json& counters, std::map<std::string, PlaceCounts>& out) {
  for (const auto& item : counters.at("byPlace").items()) {
    auto& place = out[item.key()];
    place.customers += item.value().at("customers").get<std::int64_t>();
    add_counts(place.cities, item.value().at("cities"));
    add_counts(place.states, item.value().at("states"));
  }
}

Result<AnalyticsOverview> collect(const Snapshot& snapshot, const Namespace& ns, Timestamp now) {
  auto partitions = scan_docs(snapshot, ns, KeyRange::prefixed(kCounters));
  if (!partitions) return partitions.error();
  AnalyticsOverview out;
  Sums sums;
  for (const auto& [key, counters] : *partitions) {
    add_partition(counters, out, sums);
    const auto partition = std::string_view(key).substr(kCounters.size());
    if (auto added = add_registrations(snapshot, ns, partition, utc_day(now), out); !added)
      return added.error();
  }
  if (const auto active = out.by_status.find("Active"); active != out.by_status.end())
    out.active = active->second;
  out.average_age = average_age(sums, now);
  return out;
}

}  // namespace

Result<void> CustomerAnalytics::evolve(const Folded& event, Rows& rows) const {
  const auto* body = std::get_if<customer::Event>(&event.event);
  if (body == nullptr) return success();
  return guarded(name(), [&] { return fold(event, *body, rows); });
}

Result<AnalyticsOverview> CustomerAnalytics::overview(const Snapshot& snapshot, const Namespace& ns,
                                                      Timestamp now) const {
  return guarded(name(), [&] { return collect(snapshot, ns, now); });
}

Result<std::map<std::string, PlaceCounts>> CustomerAnalytics::places(const Snapshot& snapshot,
                                                                     const Namespace& ns) const {
  return guarded(name(), [&]() -> Result<std::map<std::string, PlaceCounts>> {
    auto partitions = scan_docs(snapshot, ns, KeyRange::prefixed(kCounters));
    if (!partitions) return partitions.error();
    std::map<std::string, PlaceCounts> out;
    for (const auto& [key, counters] : *partitions) add_places(counters, out);
    return out;
  });
}

}  // namespace clientele::projections
