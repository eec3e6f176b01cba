// The analytics overview: figures kept per partition and added up by the query, following each
// customer's changes, and losing an erased customer's personal values the same way whether it is
// folded live or rebuilt from the log.

#include "projections/customer_analytics.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <span>

#include "commands/erasure.hpp"
#include "events/json.hpp"
#include "tests/projections/read_model_fixture.hpp"

namespace clientele::projections {
namespace {

using namespace std::chrono;
using Counts = std::map<std::string, std::int64_t>;

CustomerId customer_number(int n) {
  return CustomerId(fmt::format("CUST_{:08x}", 0x200 + n));
}

Timestamp at(Date day, hours hour = hours(12)) {
  return time_point_cast<milliseconds>(sys_days(day) + hour);
}

// The age in days, at midnight of `today`, of someone born on `birth`.
double days_old(Date birth, Date today) {
  return static_cast<double>((sys_days(today) - sys_days(birth)).count());
}

constexpr double kDaysPerYear = 365.2425;

class CustomerAnalyticsTest : public ReadModelTest {
 protected:
  AnalyticsOverview overview(Timestamp now = infra::utc_now()) {
    auto found = analytics_.overview(*store_->snapshot(), analytics_.ns(), now);
    EXPECT_TRUE(found.ok()) << found.error().message;
    return found.ok() ? *found : AnalyticsOverview{};
  }

  void fold() { catch_up({&analytics_}); }

  // Registers `id` with a gender and an optional date of birth.
  void register_customer(const CustomerId& id, std::optional<customer::Gender> gender,
                         std::optional<Date> birth = std::nullopt) {
    auto registered = registration(id, id.str());
    registered.gender = gender;
    registered.date_of_birth = birth;
    writer_->append(id, registered);
  }

  // Registers `id` as decided at `when`; the customer's first and only event.
  void register_at(const CustomerId& id, Timestamp when) {
    auto envelope = events::wrap(events::encode(customer::Event{registration(id, id.str())}),
                                 {infra::uuid_v7(when), events::stream_name(id), StreamVersion{1},
                                  id, when, Actor{UserId(id.str()), Role::Customer}, "", ""});
    ASSERT_TRUE(events::seal(envelope, *keys_).ok());
    const events::EncodedEvent encoded{envelope.id, envelope.type, envelope.v,
                                       events::to_wire(envelope).value()};
    ASSERT_TRUE(log_->append(id.str(), std::span(&encoded, 1)).ok());
  }

  void add_address(const CustomerId& id, const std::string& address_id, const std::string& city,
                   const std::string& country, const std::string& state = "") {
    auto added = address(address_id, "x");
    added.postal.city = city;
    added.postal.state = state;
    added.postal.country = country;
    writer_->append(id, added);
  }

  // The documents of the rows under `prefix`, as the store holds them now.
  std::vector<KeyedDoc> rows(std::string_view prefix) {
    return scan_docs(*store_->snapshot(), analytics_.ns(), KeyRange::prefixed(prefix)).value();
  }

  CustomerAnalytics analytics_;
};

TEST_F(CustomerAnalyticsTest, AddsUpTotalsActiveVerifiedStatusesAndTypesOverPartitions) {
  std::set<std::int32_t> partitions;
  for (int i = 0; i < 8; ++i) {
    register_customer(customer_number(i), customer::Gender::Female);
    partitions.insert(log_->partition_for(customer_number(i).str()).value);
  }
  ASSERT_GT(partitions.size(), 1u) << "the customers must spread over partitions";
  for (int i : {0, 1, 2}) writer_->append(customer_number(i), customer::EmailVerified{});
  writer_->append(customer_number(2), customer::EmailChanged{"new@example.com"});
  writer_->append(customer_number(3),
                  customer::TypeChanged{customer::Type::Regular, customer::Type::VIP});
  writer_->append(customer_number(4),
                  customer::TypeChanged{customer::Type::Regular, customer::Type::Premium});
  writer_->append(customer_number(5), customer::StatusChanged{customer::Status::Active,
                                                              customer::Status::Suspended, "x"});
  writer_->append(customer_number(6), customer::StatusChanged{customer::Status::Active,
                                                              customer::Status::Inactive, "x"});
  fold();

  const auto o = overview();
  EXPECT_EQ(o.total, 8);
  EXPECT_EQ(o.active, 6);
  EXPECT_EQ(o.verified, 2) << "changing the email resets its verification";
  EXPECT_EQ(o.by_status, (Counts{{"Active", 6}, {"Inactive", 1}, {"Suspended", 1}}));
  EXPECT_EQ(o.by_type, (Counts{{"Premium", 1}, {"Regular", 6}, {"VIP", 1}}));
  EXPECT_EQ(o.by_gender, (Counts{{"female", 8}}));
  EXPECT_TRUE(o.by_country.empty()) << "nobody has an address";
  EXPECT_FALSE(o.average_age.has_value()) << "nobody has a date of birth";
  EXPECT_EQ(rows("p/").size(), partitions.size()) << "one counters row per partition";
}

TEST_F(CustomerAnalyticsTest, AStatusChangeMovesTheCustomerBetweenBuckets) {
  register_customer(kAda, customer::Gender::Female);
  register_customer(kBob, customer::Gender::Male);
  writer_->append(
      kAda, customer::StatusChanged{customer::Status::Active, customer::Status::Suspended, "x"});
  fold();
  auto o = overview();
  EXPECT_EQ(o.active, 1);
  EXPECT_EQ(o.by_status, (Counts{{"Active", 1}, {"Suspended", 1}}));

  writer_->append(
      kAda, customer::StatusChanged{customer::Status::Suspended, customer::Status::Active, "x"});
  fold();
  o = overview();
  EXPECT_EQ(o.total, 2);
  EXPECT_EQ(o.active, 2);
  EXPECT_EQ(o.by_status, (Counts{{"Active", 2}})) << "an emptied bucket leaves the map";
}

TEST_F(CustomerAnalyticsTest, LocatesCustomersByTheirDefaultAddressElseTheirFirst) {
  const auto carl = customer_number(1);
  for (const auto& id : {kAda, kBob, carl}) register_customer(id, std::nullopt);
  add_address(kAda, "ADDR-1", "Berlin", "DE");
  add_address(kAda, "ADDR-2", "Paris", "FR");
  add_address(carl, "ADDR-1", "Lyon", "FR");
  fold();
  auto o = overview();
  EXPECT_EQ(o.by_country, (Counts{{"DE", 1}, {"FR", 1}})) << "Bob has no address: no country";
  EXPECT_EQ(o.by_city, (Counts{{"Berlin", 1}, {"Lyon", 1}}));

  writer_->append(kAda, customer::DefaultAddressSet{AddressId("ADDR-2")});
  fold();
  o = overview();
  EXPECT_EQ(o.by_country, (Counts{{"FR", 2}}));
  EXPECT_EQ(o.by_city, (Counts{{"Lyon", 1}, {"Paris", 1}}));

  auto moved = customer::AddressUpdated{AddressId("ADDR-2"), "x", AddressKind::Home, {}};
  moved.postal.city = "Marseille";
  moved.postal.country = "FR";
  writer_->append(kAda, moved);
  fold();
  EXPECT_EQ(overview().by_city, (Counts{{"Lyon", 1}, {"Marseille", 1}}));

  writer_->append(kAda, customer::AddressRemoved{AddressId("ADDR-2")});
  fold();
  o = overview();
  EXPECT_EQ(o.by_country, (Counts{{"DE", 1}, {"FR", 1}}));
  EXPECT_EQ(o.by_city, (Counts{{"Berlin", 1}, {"Lyon", 1}}));
}

TEST_F(CustomerAnalyticsTest, PlacesCountCitiesAndStatesPerCountryWithoutErasedCustomers) {
  const auto carl = customer_number(1);
  for (const auto& id : {kAda, kBob, carl}) register_customer(id, std::nullopt);
  add_address(kAda, "ADDR-1", "Qx9Adaville", "US", "Qx9State");
  add_address(kBob, "ADDR-1", "Austin", "US", "Texas");
  add_address(carl, "ADDR-1", "Austin", "US", "Texas");
  add_address(carl, "ADDR-2", "Lyon", "FR");
  fold();
  const auto places = [&] {
    auto found = analytics_.places(*store_->snapshot(), analytics_.ns());
    EXPECT_TRUE(found.ok()) << found.error().message;
    return found.ok() ? *found : std::map<std::string, PlaceCounts>{};
  };
  EXPECT_EQ(
      places(),
      (std::map<std::string, PlaceCounts>{
          {"US", {3, {{"Austin", 2}, {"Qx9Adaville", 1}}, {{"Qx9State", 1}, {"Texas", 2}}}}}));

  writer_->append(carl, customer::DefaultAddressSet{AddressId("ADDR-2")});
  writer_->append(kAda, customer::Erased{"gdpr-art17", "GDPR Art. 17(1)(a)", "ADM_0042"});
  fold();
  EXPECT_EQ(places(),
            (std::map<std::string, PlaceCounts>{{"FR", {1, {{"Lyon", 1}}, {}}},
                                                {"US", {1, {{"Austin", 1}}, {{"Texas", 1}}}}}));
  EXPECT_EQ(overview().by_country, (Counts{{"FR", 1}, {"US", 2}})) << "the erased one stays here";
  for (const auto& prefix : {"p/", "c/"}) {
    for (const auto& [key, doc] : rows(prefix)) {
      EXPECT_EQ(doc.dump().find("Qx9"), std::string::npos) << key;
    }
  }
}

TEST_F(CustomerAnalyticsTest, CountsGendersAndAveragesTheAgeOfThoseWithADateOfBirth) {
  const Date today = 2026y / 1 / 1;
  const Date ada_birth = 1990y / 1 / 1, bob_birth = 2000y / 1 / 1, bob_new_birth = 1980y / 1 / 1;
  register_customer(kAda, customer::Gender::Female, ada_birth);
  register_customer(kBob, customer::Gender::Male, bob_birth);
  register_customer(customer_number(1), std::nullopt);
  register_customer(customer_number(2), customer::Gender::Undisclosed);
  fold();
  auto o = overview(at(today, hours(0)));
  EXPECT_EQ(o.by_gender, (Counts{{"female", 1}, {"male", 1}, {"undisclosed", 1}}));
  ASSERT_TRUE(o.average_age.has_value());
  EXPECT_NEAR(*o.average_age,
              (days_old(ada_birth, today) + days_old(bob_birth, today)) / 2 / kDaysPerYear, 1e-9);
  EXPECT_NEAR(*o.average_age, 31.0, 0.01);

  customer::ProfileUpdated updated;
  updated.gender = customer::Gender::Other;
  updated.date_of_birth = bob_new_birth;
  writer_->append(kBob, updated);
  fold();
  o = overview(at(today, hours(0)));
  EXPECT_EQ(o.by_gender, (Counts{{"female", 1}, {"other", 1}, {"undisclosed", 1}}));
  ASSERT_TRUE(o.average_age.has_value());
  EXPECT_NEAR(*o.average_age,
              (days_old(ada_birth, today) + days_old(bob_new_birth, today)) / 2 / kDaysPerYear,
              1e-9);
}

TEST_F(CustomerAnalyticsTest, CountsNewRegistrationsOfTodayTheLastWeekAndTheLastMonth) {
  const Date today = 2026y / 3 / 10;
  const std::vector<Timestamp> registered{
      at(today, hours(0)),                     // today, first millisecond
      at(today, hours(24)) - milliseconds(1),  // today, last millisecond
      at(2026y / 3 / 9, hours(23)),            // yesterday
      at(2026y / 3 / 4, hours(0)),             // 6 days ago: this week
      at(2026y / 3 / 3, hours(23)),            // 7 days ago: this month
      at(2026y / 2 / 9),                       // 29 days ago: this month
      at(2026y / 2 / 8),                       // 30 days ago: before
      at(2026y / 3 / 11),                      // tomorrow: after now
  };
  std::set<std::int32_t> partitions;
  for (std::size_t i = 0; i < registered.size(); ++i) {
    const auto id = customer_number(static_cast<int>(i));
    register_at(id, registered[i]);
    partitions.insert(log_->partition_for(id.str()).value);
  }
  ASSERT_GT(partitions.size(), 1u);
  fold();

  const auto o = overview(at(today));
  EXPECT_EQ(o.total, 8);
  EXPECT_EQ(o.new_today, 2);
  EXPECT_EQ(o.new_this_week, 4);
  EXPECT_EQ(o.new_this_month, 6);
  const auto later = overview(at(2026y / 4 / 9));
  EXPECT_EQ(later.new_today, 0);
  EXPECT_EQ(later.new_this_week, 0);
  EXPECT_EQ(later.new_this_month, 1) << "only the one of 2026-03-11 is 29 days before";
}

TEST_F(CustomerAnalyticsTest, ErasureTakesCityGenderAndAgeAwayButKeepsTheAnonymousFigures) {
  const std::string city = "Qx9Adaville";
  register_customer(kAda, customer::Gender::Female, 1990y / 1 / 1);
  register_customer(kBob, customer::Gender::Male, 2000y / 1 / 1);
  add_address(kAda, "ADDR-1", city, "DE");
  add_address(kBob, "ADDR-1", "Berlin", "DE");
  writer_->append(kAda, customer::TypeChanged{customer::Type::Regular, customer::Type::VIP});
  writer_->append(kAda, customer::EmailVerified{});
  fold();
  const auto now = at(2026y / 1 / 1, hours(0));
  ASSERT_EQ(overview(now).by_city, (Counts{{"Berlin", 1}, {city, 1}}));

  writer_->append(kAda, customer::Erased{"gdpr-art17", "GDPR Art. 17(1)(a)", "ADM_0042"});
  fold();
  const auto o = overview(now);
  EXPECT_EQ(o.total, 2);
  EXPECT_EQ(o.active, 1);
  EXPECT_EQ(o.verified, 1);
  EXPECT_EQ(o.by_status, (Counts{{"Active", 1}, {"Erased", 1}}));
  EXPECT_EQ(o.by_type, (Counts{{"Regular", 1}, {"VIP", 1}}));
  EXPECT_EQ(o.by_country, (Counts{{"DE", 2}}));
  EXPECT_EQ(o.by_city, (Counts{{"Berlin", 1}}));
  EXPECT_EQ(o.by_gender, (Counts{{"male", 1}}));
  ASSERT_TRUE(o.average_age.has_value());
  EXPECT_NEAR(*o.average_age, days_old(2000y / 1 / 1, 2026y / 1 / 1) / kDaysPerYear, 1e-9);

  for (const auto& prefix : {"p/", "c/"}) {
    for (const auto& [key, doc] : rows(prefix)) {
      EXPECT_EQ(key.find(city), std::string::npos);
      EXPECT_EQ(doc.dump().find(city), std::string::npos) << key;
      EXPECT_EQ(doc.dump().find("female"), std::string::npos) << key;
    }
  }
  const auto ada = rows("c/" + kAda.str());
  ASSERT_EQ(ada.size(), 1u);
  EXPECT_TRUE(ada[0].second["birth"].is_null());
  EXPECT_TRUE(ada[0].second["gender"].is_null());
}

TEST_F(CustomerAnalyticsTest, ARebuildAfterCryptoShreddingGivesTheSameFigures) {
  const auto carl = customer_number(1);
  register_customer(kAda, customer::Gender::Female, 1990y / 1 / 1);
  register_customer(kBob, customer::Gender::Male, 2000y / 1 / 1);
  register_customer(carl, customer::Gender::Female, 1985y / 6 / 15);
  add_address(kAda, "ADDR-1", "Qx9Adaville", "DE");
  add_address(kAda, "ADDR-2", "Berlin", "AT");
  writer_->append(kAda, customer::DefaultAddressSet{AddressId("ADDR-2")});
  add_address(kBob, "ADDR-1", "Berlin", "DE");
  add_address(carl, "ADDR-1", "Qx9Adaville", "DE");
  customer::ProfileUpdated updated;
  updated.gender = customer::Gender::Other;
  updated.date_of_birth = 1970y / 2 / 1;
  writer_->append(kAda, updated);
  writer_->append(kAda, customer::TypeChanged{customer::Type::Regular, customer::Type::Premium});
  fold();

  commands::ErasureService erasure(*log_, *keys_, infra::utc_now, infra::uuid_v7);
  auto receipt = erasure.erase({kAda, "gdpr-art17", "GDPR Art. 17(1)(a)", "ADM_0042"},
                               Actor{UserId("ADM_0042"), Role::Administrator});
  ASSERT_TRUE(receipt.ok()) << receipt.error().message;
  ASSERT_TRUE(receipt->key_destroyed);
  fold();
  const auto now = at(2026y / 1 / 1);
  const auto live = overview(now);
  EXPECT_EQ(live.by_status, (Counts{{"Active", 2}, {"Erased", 1}}));
  EXPECT_EQ(live.by_country, (Counts{{"AT", 1}, {"DE", 2}}));
  EXPECT_EQ(live.by_city, (Counts{{"Berlin", 1}, {"Qx9Adaville", 1}}));
  EXPECT_EQ(live.by_gender, (Counts{{"female", 1}, {"male", 1}}));
  const auto live_counters = rows("p/");

  store_.reset();
  std::filesystem::remove_all(dir_.path() / "views");
  open_store();
  fold();
  const auto rebuilt = overview(now);
  EXPECT_EQ(rebuilt, live);
  EXPECT_EQ(rebuilt.by_type, (Counts{{"Premium", 1}, {"Regular", 2}}));
  EXPECT_EQ(rows("p/"), live_counters) << "the counters rows differ from those folded live";
}

}  // namespace
}  // namespace clientele::projections
