#pragma once
// The analytics overview read model (DESIGN.md §5): how many customers there are, how many are
// active and verified, how many registered lately, and how they spread over countries, cities,
// types, statuses and genders, with their average age.
//
// Workers fold partitions concurrently, so the figures are kept per partition and the query adds
// them up. Layout of its namespace (every key belongs to one partition; no key holds a personal
// value — city names appear only as values inside the counters document):
//   "p/<partition: 4 digits>"               the partition's counters: total, verified, counts by
//                                           status, type, country, city and gender, the places
//                                           (per country: the customers not erased located there
//                                           and their counts by city and by state), and the
//                                           count and sum (days since 1970-01-01) of the dates
//                                           of birth known
//   "d/<partition: 4 digits>/<yyyy-mm-dd>"  how many customers of the partition registered on
//                                           that UTC day
//   "c/<customer id>"                       what the customer contributes to the counters:
//                                           status, type, email verified, gender, date of birth
//                                           and its addresses (id, country, city, state) and
//                                           default
//
// A change of a customer subtracts the customer's old contribution and adds the new one. Its
// location is its default address, else the first one added. Empty cities and genders and
// missing dates of birth are never counted, and a count reaching 0 leaves its map.
//
// On `customer.erased` the customer's city, state, gender and date of birth leave the counters and
// its row, and the customer leaves the places; it stays counted in the total, under status
// "Erased", its type and its country. Folding
// the log afresh after an erasure, where those values decode empty, gives the same figures.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "domain/time.hpp"
#include "projections/read_model.hpp"

namespace clientele::projections {

struct AnalyticsOverview {
  std::int64_t total = 0;                          // customers registered, erased ones included
  std::int64_t active = 0;                         // with status Active
  std::int64_t verified = 0;                       // with a verified email
  std::int64_t new_today = 0;                      // registered on the UTC day of `now`
  std::int64_t new_this_week = 0;                  // in the 7 UTC days ending with today
  std::int64_t new_this_month = 0;                 // in the 30 UTC days ending with today
  std::map<std::string, std::int64_t> by_country;  // ISO 3166-1 alpha-2 of the location
  std::map<std::string, std::int64_t> by_city;     // city of the location, as written
  std::map<std::string, std::int64_t> by_type;     // "Regular", "Premium", "VIP"
  std::map<std::string, std::int64_t> by_status;   // "Active", ..., "Erased"
  std::map<std::string, std::int64_t> by_gender;   // "male", "female", "other", "undisclosed"
  // In years at `now`, over the customers whose date of birth is known; nullopt when none is.
  std::optional<double> average_age;

  bool operator==(const AnalyticsOverview&) const = default;
};

// The customers not erased located in one country (by their default address, else the first
// added), and how they spread over its cities and states (as written; empty ones not counted).
struct PlaceCounts {
  std::int64_t customers = 0;
  std::map<std::string, std::int64_t> cities;
  std::map<std::string, std::int64_t> states;

  bool operator==(const PlaceCounts&) const = default;
};

class CustomerAnalytics final : public ReadModel {
 public:
  std::string_view name() const override { return "customer_analytics"; }
  int version() const override { return 2; }
  Result<void> evolve(const Folded& event, Rows& rows) const override;

  // The overview at `now`, on `snapshot` in the namespace `ns` (the live version of this model):
  // the figures of every partition added up. errc::corrupt when a row does not parse.
  Result<AnalyticsOverview> overview(const Snapshot& snapshot, const Namespace& ns,
                                     Timestamp now) const;
  // The places by ISO 3166-1 alpha-2 country code, on `snapshot` in the namespace `ns`: those of
  // every partition added up. errc::corrupt when a row does not parse.
  Result<std::map<std::string, PlaceCounts>> places(const Snapshot& snapshot,
                                                    const Namespace& ns) const;
};

}  // namespace clientele::projections
