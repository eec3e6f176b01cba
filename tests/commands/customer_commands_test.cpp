// The command strands and the customer service on the real embedded log and the real write-side
// store: registration with unique emails and usernames, catching up with the log after other
// writers and after a lost store, appends that fail, expected versions, and erasure's effect on the
// lookups.

#include "commands/customer_commands.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "infra/clock.hpp"
#include "infra/embedded_event_log.hpp"
#include "infra/rocksdb_write_model.hpp"
#include "infra/uuid.hpp"
#include "tests/support/faulty_log.hpp"
#include "tests/support/history_writer.hpp"
#include "tests/support/memory_key_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace clientele::commands {
namespace {

using testing::TempDir;

Actor anonymous() {
  return Actor{UserId("anonymous"), Role::System};
}

customer::Register registration(std::string email, std::string first = "Ada",
                                std::string last = "Lovelace") {
  customer::Register r;
  r.email = std::move(email);
  r.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";
  r.first_name = std::move(first);
  r.last_name = std::move(last);
  return r;
}

// Ids handed out in order, so that tests can name the customers they made.
class Ids {
 public:
  CustomerId next() {
    char text[16];
    std::snprintf(text, sizeof text, "CUST_%08x", ++n_);
    return CustomerId(text);
  }

 private:
  std::atomic<unsigned> n_{0};
};

// The events in the whole log.
std::int64_t events_in(events::EventLog& log) {
  std::int64_t events = 0;
  for (std::int32_t p = 0; p < log.partition_count(); ++p) {
    events += log.end_offset(events::Partition{p}).value().value;
  }
  return events;
}

class CustomerCommandsTest : public ::testing::Test {
 protected:
  CustomerCommandsTest() {
    log_ = std::move(infra::EmbeddedEventLog::open({dir_.path() / "events", 4}).value());
    faulty_ = std::make_unique<testing::FaultyLog>(*log_);
    open_write_side();
  }

  void open_write_side() {
    service_.reset();
    bus_.reset();
    store_.reset();
    store_ = std::move(infra::RocksDbWriteModel::open(dir_.path() / "commands").value());
    bus_ = std::make_unique<CommandBus>(*faulty_, keys_, *store_, pepper_, infra::uuid_v7);
    service_ =
        std::make_unique<CustomerCommands>(*bus_, infra::utc_now, [this] { return ids_.next(); });
  }

  Registration must_register(const std::string& email, const std::string& first = "Ada",
                             const std::string& last = "Lovelace") {
    auto registered = service_->register_customer(registration(email, first, last), anonymous());
    EXPECT_TRUE(registered.ok()) << registered.error().message;
    return registered.ok() ? *registered : Registration{};
  }

  TempDir dir_;
  events::SecretKey pepper_ = events::SecretKey::random();
  testing::MemoryKeyStore keys_;
  Ids ids_;
  std::unique_ptr<infra::EmbeddedEventLog> log_;
  std::unique_ptr<testing::FaultyLog> faulty_;  // what the bus appends to
  std::unique_ptr<infra::RocksDbWriteModel> store_;
  std::unique_ptr<CommandBus> bus_;
  std::unique_ptr<CustomerCommands> service_;
};

TEST_F(CustomerCommandsTest, RegistrationAppendsAndTheCustomerIsFoundByEmailAndUsername) {
  const auto ada = must_register("ada@example.com");
  EXPECT_EQ(ada.username, "adalovelace1");
  ASSERT_EQ(ada.outcome.positions.size(), 1u);
  EXPECT_EQ(ada.outcome.positions.front().partition, log_->partition_for(ada.customer_id.str()));
  EXPECT_EQ(log_->end_offset(ada.outcome.positions.front().partition).value().value, 1);

  auto loaded = service_->load(ada.customer_id);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->version, 1u);
  EXPECT_TRUE(loaded->state.registered);
  EXPECT_EQ(loaded->state.email, "ada@example.com");
  EXPECT_EQ(service_->find_by_login("  ADA@example.com ").value(), ada.customer_id);
  EXPECT_EQ(service_->find_by_login("AdaLovelace1").value(), ada.customer_id);
  EXPECT_EQ(service_->find_by_login("nobody@example.com").value(), std::nullopt);
}

TEST_F(CustomerCommandsTest, UsernamesTakeTheNextNumberOfTheirStem) {
  EXPECT_EQ(must_register("a1@example.com").username, "adalovelace1");
  EXPECT_EQ(must_register("a2@example.com").username, "adalovelace2");
  EXPECT_EQ(must_register("a3@example.com", "Ada", "O'Brien-2").username, "adaobrien1");
  EXPECT_EQ(must_register("a4@example.com", "Zoë", "Ng").username, "zong1");
  EXPECT_EQ(must_register("a5@example.com", "李明", "小龍").username, "customer1");
  EXPECT_EQ(must_register("a6@example.com").username, "adalovelace3");
}

TEST_F(CustomerCommandsTest, OfFiftyConcurrentRegistrationsWithOneEmailExactlyOneSucceeds) {
  std::atomic<int> created{0};
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&, i] {
      auto r = service_->register_customer(
          registration(i % 2 == 0 ? "same@example.com" : "SAME@Example.com"), anonymous());
      if (r.ok()) {
        ++created;
      } else if (r.error().code == errc::conflict && r.error().field == "email") {
        ++conflicts;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(conflicts.load(), 49);
  EXPECT_EQ(events_in(*log_), 1) << "only the winner appended";
}

TEST_F(CustomerCommandsTest, ARegistrationTheLogRefusedLeavesItsEmailAndUsernameFree) {
  faulty_->inject(testing::FaultyLog::Fault::down);
  auto refused = service_->register_customer(registration("ada@example.com"), anonymous());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, errc::unavailable);
  EXPECT_EQ(events_in(*log_), 0);

  faulty_->inject(testing::FaultyLog::Fault::none);
  EXPECT_EQ(service_->find_by_login("ada@example.com").value(), std::nullopt);
  const auto ada = must_register("ada@example.com");
  EXPECT_EQ(ada.username, "adalovelace1");
  EXPECT_EQ(events_in(*log_), 1);
}

// The append went through but its acknowledgement was lost: the command reports the outcome as
// unknown (not as a success, not as a refusal), and the next decision sees the event in the log.
TEST_F(CustomerCommandsTest,
       ARegistrationWhoseOutcomeIsUnknownIsSeenInTheLogBeforeTheNextDecision) {
  faulty_->inject(testing::FaultyLog::Fault::acknowledgement_lost);
  auto unknown = service_->register_customer(registration("ada@example.com"), anonymous());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, errc::unavailable);
  EXPECT_EQ(events_in(*log_), 1);

  faulty_->inject(testing::FaultyLog::Fault::none);
  auto again = service_->register_customer(registration("ada@example.com"), anonymous());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, errc::conflict);
  EXPECT_EQ(again.error().field, "email");
  const auto found = service_->find_by_login("adalovelace1").value();
  ASSERT_TRUE(found.has_value());
  EXPECT_TRUE(service_->load(*found).value().state.registered);
  EXPECT_EQ(must_register("ada2@example.com").username, "adalovelace2");
  EXPECT_EQ(events_in(*log_), 2);
}

TEST_F(CustomerCommandsTest, EventsAppendedWhileTheServiceWasDownAreSeenBeforeItDecides) {
  const CustomerId bob("CUST_0000b0b1");
  auto registered = registration("bob@example.com", "Bob", "Stone");
  testing::HistoryWriter other(*log_, keys_);
  customer::Registered event;
  event.customer_id = bob;
  event.username = "bobstone7";
  event.email = "bob@example.com";
  event.password_hash = registered.password_hash;
  event.first_name = "Bob";
  event.last_name = "Stone";
  other.append(bob, customer::Event{event});
  open_write_side();  // as the service does on its start: catch up, then take commands
  ASSERT_TRUE(bus_->catch_up().ok());

  auto again = service_->register_customer(registered, anonymous());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, errc::conflict);
  EXPECT_EQ(again.error().field, "email");
  EXPECT_EQ(must_register("bob2@example.com", "Bob", "Stone").username, "bobstone8");
  EXPECT_EQ(service_->load(bob).value().version, 1u);
  EXPECT_EQ(service_->find_by_login("bobstone7").value(), bob);
}

TEST_F(CustomerCommandsTest, ALostWriteSideStoreIsRebuiltFromTheLog) {
  const auto ada = must_register("ada@example.com");
  ASSERT_TRUE(service_
                  ->execute(ada.customer_id, customer::ChangeEmail{"lovelace@example.com"},
                            Actor{UserId(ada.customer_id.str()), Role::Customer})
                  .ok());
  service_.reset();
  bus_.reset();
  store_.reset();
  std::filesystem::remove_all(dir_.path() / "commands");
  open_write_side();

  ASSERT_TRUE(bus_->catch_up().ok());
  auto loaded = service_->load(ada.customer_id);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->version, 2u);
  EXPECT_EQ(loaded->state.email, "lovelace@example.com");
  EXPECT_EQ(service_->find_by_login("lovelace@example.com").value(), ada.customer_id);
  EXPECT_EQ(service_->find_by_login("ada@example.com").value(), std::nullopt)
      << "the old email was released";
  EXPECT_EQ(must_register("ada@example.com").username, "adalovelace2");
}

TEST_F(CustomerCommandsTest, AStaleExpectedVersionIsRefusedAndAppendsNothing) {
  const auto ada = must_register("ada@example.com");
  auto stale = service_->execute(ada.customer_id, customer::ChangeType{customer::Type::VIP},
                                 Actor{UserId("ADM_1"), Role::Administrator}, 0);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, errc::conflict);
  EXPECT_EQ(stale.error().field, "If-Match");
  auto current = service_->execute(ada.customer_id, customer::VerifyEmail{},
                                   Actor{UserId("ADM_1"), Role::Administrator}, 1);
  ASSERT_TRUE(current.ok()) << current.error().message;
  EXPECT_EQ(current->version, 2u);
  EXPECT_EQ(service_->load(ada.customer_id).value().version, 2u);
}

TEST_F(CustomerCommandsTest, APlanRunsAllItsCommandsInOneAppendOrNoneOfThem) {
  const auto ada = must_register("ada@example.com");
  const Actor staff{UserId("ADM_1"), Role::Administrator};
  std::vector<customer::State> seen;
  // The plan sees the state it is made for; the second command breaks a rule.
  auto refused = service_->execute(
      ada.customer_id,
      [&](const customer::State& state) -> Result<std::vector<customer::Command>> {
        seen.push_back(state);
        return std::vector<customer::Command>{customer::ChangeType{customer::Type::VIP},
                                              customer::SetTags{{"not a tag"}}};
      },
      staff);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "tags");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].email, "ada@example.com");
  EXPECT_EQ(service_->load(ada.customer_id).value().version, 1u) << "a part was appended";

  auto both = service_->execute(
      ada.customer_id,
      [](const customer::State& state) -> Result<std::vector<customer::Command>> {
        auto preferences = state.preferences;
        preferences.newsletter = !preferences.newsletter;
        return std::vector<customer::Command>{customer::ChangeType{customer::Type::VIP},
                                              customer::ChangePreferences{preferences}};
      },
      staff, /*expected_version=*/1);
  ASSERT_TRUE(both.ok()) << both.error().message;
  EXPECT_EQ(both->version, 3u);
  ASSERT_EQ(both->positions.size(), 2u);
  EXPECT_EQ(both->positions[1].offset.value, both->positions[0].offset.value + 1)
      << "not one append";
  const auto loaded = service_->load(ada.customer_id).value();
  EXPECT_EQ(loaded.state.type, customer::Type::VIP);
  EXPECT_TRUE(loaded.state.preferences.newsletter);
}

TEST_F(CustomerCommandsTest, APhoneLeadsToItsFirstHolderUntilTheyLetItGo) {
  auto with_phone = [&](const std::string& email) {
    auto r = registration(email);
    r.phone = "+14155550100";
    auto registered = service_->register_customer(r, anonymous());
    EXPECT_TRUE(registered.ok()) << registered.error().message;
    return registered.ok() ? registered->customer_id : CustomerId();
  };
  const auto ada = with_phone("ada@example.com");
  const auto eve = with_phone("eve@example.com");
  EXPECT_EQ(service_->find_by_phone("+14155550100").value(), ada);

  const Actor self{UserId(ada.str()), Role::Customer};
  customer::UpdateProfile change;
  change.phone = "+14155550111";
  ASSERT_TRUE(service_->execute(ada, change, self).ok());
  EXPECT_EQ(service_->find_by_phone("+14155550111").value(), ada);
  EXPECT_EQ(service_->find_by_phone("+14155550100").value(), std::nullopt)
      << "let go by Ada; Eve took it later and does not get it by default";

  ASSERT_TRUE(service_
                  ->execute(ada, customer::Erase{"gdpr-art17", "GDPR Art. 17", "ADM_1"},
                            Actor{UserId("ADM_1"), Role::Administrator})
                  .ok());
  EXPECT_EQ(service_->find_by_phone("+14155550111").value(), std::nullopt);
  (void)eve;
}

TEST_F(CustomerCommandsTest, ErasureReleasesTheEmailAndUsername) {
  const auto ada = must_register("ada@example.com");
  auto erased =
      service_->execute(ada.customer_id, customer::Erase{"gdpr-art17", "GDPR Art. 17", "ADM_1"},
                        Actor{UserId("ADM_1"), Role::Administrator});
  ASSERT_TRUE(erased.ok()) << erased.error().message;
  EXPECT_EQ(service_->find_by_login("ada@example.com").value(), std::nullopt);
  EXPECT_EQ(service_->find_by_login(ada.username).value(), std::nullopt);
  const auto again = must_register("ada@example.com");
  EXPECT_NE(again.customer_id, ada.customer_id);
}

}  // namespace
}  // namespace clientele::commands
