// The projector runtime and the customer read models, on the real embedded log and the real
// RocksDB read-model store.

#include "projections/projector.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "commands/erasure.hpp"
#include "infra/embedded_event_log.hpp"
#include "infra/key_cache.hpp"
#include "infra/rocksdb_key_store.hpp"
#include "infra/rocksdb_read_model_store.hpp"
#include "projections/address_book.hpp"
#include "projections/audit_timeline.hpp"
#include "projections/customer_analytics.hpp"
#include "projections/customer_profile.hpp"
#include "projections/customer_search.hpp"
#include "tests/projections/read_model_fixture.hpp"
#include "tests/support/files.hpp"
#include "tests/support/history_writer.hpp"
#include "tests/support/memory_key_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace clientele::projections {
namespace {

using namespace std::chrono_literals;
using testing::HistoryWriter;
using testing::TempDir;

TEST_F(ReadModelTest, FoldsRegistrationsIntoProfilesFoundByIdEmailAndUsername) {
  writer_->append(kAda, registration(kAda, "ada"));
  writer_->append(kBob, registration(kBob, "bob"));
  writer_->append(kAda, customer::TypeChanged{customer::Type::Regular, customer::Type::VIP});
  catch_up(models());

  const auto ada = profile(kAda);
  EXPECT_EQ(ada["firstName"], "adaFirst");
  EXPECT_EQ(ada["type"], "VIP");
  EXPECT_EQ(ada["status"], "Active");
  EXPECT_EQ(ada["version"], 2);
  const auto snapshot = store_->snapshot();
  EXPECT_EQ(profiles_.find_by_email(*snapshot, profiles_.ns(), "  ADA@example.COM ").value(), kAda);
  EXPECT_EQ(profiles_.find_by_username(*snapshot, profiles_.ns(), "UserBob").value(), kBob);
  EXPECT_FALSE(profiles_.find_by_email(*snapshot, profiles_.ns(), "eve@example.com").value());
  EXPECT_FALSE(profiles_.find(*snapshot, profiles_.ns(), CustomerId("CUST_00000000")).value());
}

TEST_F(ReadModelTest, ResumesFromItsCheckpointsWithoutFoldingAnyEventTwice) {
  writer_->append(kAda, registration(kAda, "ada"));
  for (int i = 0; i < 3; ++i) writer_->append(kAda, customer::LoggedIn{});
  catch_up(models());
  EXPECT_EQ(profile(kAda)["loginCount"], 3);

  for (int i = 0; i < 2; ++i) writer_->append(kAda, customer::LoggedIn{});
  open_store();  // as after a restart
  catch_up(models());
  EXPECT_EQ(profile(kAda)["loginCount"], 5);
  const auto snapshot = store_->snapshot();
  EXPECT_EQ(read_checkpoint(*snapshot, profiles_.ns(), log_->partition_for(kAda.str())).value(),
            events::Offset{6});
}

TEST_F(ReadModelTest, AModelAddedLaterFoldsTheWholeLogWhileTheOthersSkipWhatTheyFolded) {
  writer_->append(kAda, registration(kAda, "ada"));
  writer_->append(kAda, address("ADDR-1", "ada"));
  writer_->append(kAda, customer::LoggedIn{});
  catch_up({&profiles_});
  writer_->append(kAda, customer::LoggedIn{});
  catch_up({&profiles_, &addresses_});

  EXPECT_EQ(profile(kAda)["loginCount"], 2);
  auto book = addresses_.addresses(*store_->snapshot(), addresses_.ns(), kAda);
  ASSERT_TRUE(book.ok());
  ASSERT_EQ(book->size(), 1u);
  EXPECT_EQ(book->front()["city"], "adaville");
}

TEST_F(ReadModelTest, TheAddressBookKeepsTheOrderOfAdditionAndMarksTheDefault) {
  writer_->append(kAda, registration(kAda, "ada"));
  writer_->append(kAda, address("ADDR-9", "home"));
  writer_->append(kAda, address("ADDR-1", "work"));
  writer_->append(kAda, address("ADDR-5", "gone"));
  writer_->append(kAda, customer::DefaultAddressSet{AddressId("ADDR-9")});
  writer_->append(kAda, customer::DefaultAddressSet{AddressId("ADDR-1")});
  writer_->append(kAda, customer::AddressRemoved{AddressId("ADDR-5")});
  catch_up(models());

  auto book = addresses_.addresses(*store_->snapshot(), addresses_.ns(), kAda);
  ASSERT_TRUE(book.ok());
  ASSERT_EQ(book->size(), 2u);
  EXPECT_EQ((*book)[0]["addressId"], "ADDR-9");
  EXPECT_EQ((*book)[0]["isDefault"], false);
  EXPECT_EQ((*book)[1]["addressId"], "ADDR-1");
  EXPECT_EQ((*book)[1]["isDefault"], true);
  EXPECT_EQ(profile(kAda)["defaultAddressId"], "ADDR-1");
}

TEST_F(ReadModelTest, TheAuditTimelineSaysWhoDidWhatNewestFirstWithoutAnyValue) {
  writer_->append(kAda, registration(kAda, "adaSecret"));
  writer_->append(kAda, events::stream_name(kAda),
                  events::encode(customer::Event{customer::StatusChanged{
                      customer::Status::Active, customer::Status::Suspended, "adaSecret reason"}}),
                  Actor{UserId("ADM_0001"), Role::Administrator});
  writer_->append(kAda, customer::LoggedIn{});
  catch_up(models());

  const auto snapshot = store_->snapshot();
  auto first = timeline_.timeline(*snapshot, timeline_.ns(), kAda, std::nullopt, 2);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->entries.size(), 2u);
  EXPECT_EQ(first->entries[0]["type"], "customer.logged-in");
  EXPECT_EQ(first->entries[1]["type"], "customer.status-changed");
  EXPECT_EQ(first->entries[1]["actorId"], "ADM_0001");
  EXPECT_EQ(first->entries[1]["actorRole"], "Administrator");
  ASSERT_TRUE(first->next.has_value());
  auto rest = timeline_.timeline(*snapshot, timeline_.ns(), kAda, first->next, 2);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->entries.size(), 1u);
  EXPECT_EQ(rest->entries[0]["type"], "customer.registered");
  EXPECT_FALSE(rest->next.has_value());
  for (const auto& page : {first->entries, rest->entries}) {
    for (const auto& entry : page) EXPECT_EQ(entry.dump().find("adaSecret"), std::string::npos);
  }
}

TEST_F(ReadModelTest, ARunningProjectorFoldsNewEventsAsTheyArrive) {
  auto running = projector(models());
  ASSERT_TRUE(running->start().ok());
  const auto registered = writer_->append(kAda, registration(kAda, "ada"));
  ASSERT_TRUE(running->wait_for(registered, 10s));
  EXPECT_EQ(profile(kAda)["firstName"], "adaFirst");
  const auto logged_in = writer_->append(kAda, customer::LoggedIn{});
  ASSERT_TRUE(running->wait_for(logged_in, 10s));
  EXPECT_EQ(profile(kAda)["loginCount"], 1);
  EXPECT_GE(running->events_folded(), 2u);
}

TEST_F(ReadModelTest, AnUnreadableEventStopsItsPartitionOnlyAndSaysWhy) {
  const events::EncodedEvent garbage{"id-x", "customer.registered", 1, "{not json"};
  ASSERT_TRUE(log_->append(kAda.str(), std::span(&garbage, 1)).ok());
  // Bob in another partition than Ada.
  CustomerId other = kBob;
  for (int i = 0; log_->partition_for(other.str()) == log_->partition_for(kAda.str()); ++i)
    other = CustomerId("CUST_0000b0b" + std::to_string(i));
  std::atomic<std::int32_t> reported{-1};
  ProjectorOptions options;
  options.on_stopped = [&](events::Partition partition, const Error&) {
    reported = partition.value;
  };
  auto running = projector(models(), options);
  ASSERT_TRUE(running->start().ok());
  const auto registered = writer_->append(other, registration(other, "bob"));
  ASSERT_TRUE(running->wait_for(registered, 10s));
  EXPECT_FALSE(running->wait_for({log_->partition_for(kAda.str()), events::Offset{0}}, 100ms));
  const auto progress = running->progress();
  const auto& stuck = progress[static_cast<std::size_t>(log_->partition_for(kAda.str()).value)];
  EXPECT_NE(stuck.error, "");
  EXPECT_EQ(stuck.checkpoint, events::Offset{0});
  EXPECT_EQ(reported.load(), stuck.partition.value);
}

TEST(ProjectorErasure, NoReadModelFileKeepsAPersonalValueOfAnErasedCustomer) {
  TempDir dir;
  const std::string marker = "Qx9ZmarkAda";
  auto log = std::move(infra::EmbeddedEventLog::open({dir.path() / "events", kPartitions}).value());
  auto key_store = std::move(
      infra::RocksDbKeyStore::open(dir.path() / "keys", events::SecretKey::random()).value());
  infra::CachingKeyStore keys(*key_store, 100);
  auto store = std::move(infra::RocksDbReadModelStore::open(dir.path() / "views").value());
  CustomerProfiles profiles(events::SecretKey::random());
  AddressBook addresses;
  AuditTimeline timeline;
  const auto pepper = events::SecretKey::random();
  CustomerList list(events::SecretKey(pepper.bytes()));
  CustomerSearch search(pepper);
  CustomerAnalytics analytics;
  const std::vector<const ReadModel*> models{&profiles, &addresses, &timeline,
                                             &list,     &search,    &analytics};
  std::atomic<int> erased_seen{0};
  ProjectorOptions options;
  options.on_erased = [&](const CustomerId& id) { erased_seen += id == kAda ? 1 : 0; };

  HistoryWriter writer(*log, keys);
  writer.append(kAda, registration(kAda, marker));
  writer.append(kAda, address("ADDR-1", marker));
  writer.append(kAda, customer::NoteAdded{marker + " note"});
  writer.append(kBob, registration(kBob, "bobKeeps"));
  ASSERT_TRUE(Projector(*log, keys, *store, models, options).catch_up().ok());
  ASSERT_TRUE(store->compact().ok());
  const std::vector<std::filesystem::path> views{dir.path() / "views"};
  EXPECT_FALSE(testing::files_containing(views, marker + "First").empty())
      << "the scan cannot see the profile";
  EXPECT_FALSE(testing::files_containing(views, marker + " Street 1").empty())
      << "the scan cannot see the address";

  commands::ErasureService erasure(*log, keys, infra::utc_now, infra::uuid_v7);
  auto receipt = erasure.erase({kAda, "gdpr-art17", "GDPR Art. 17(1)(a)", "ADM_0042"},
                               Actor{UserId("ADM_0042"), Role::Administrator});
  ASSERT_TRUE(receipt.ok()) << receipt.error().message;
  ASSERT_TRUE(Projector(*log, keys, *store, models, options).catch_up().ok());
  ASSERT_TRUE(store->compact().ok());

  EXPECT_EQ(erased_seen.load(), 1);
  const auto left = testing::files_containing(views, marker);
  EXPECT_TRUE(left.empty()) << "a personal value is still in " << left.front();
  EXPECT_FALSE(testing::files_containing(views, "bobKeepsFirst").empty());
  std::optional<nlohmann::json> ada;
  {
    const auto snapshot = store->snapshot();
    ada = profiles.find(*snapshot, profiles.ns(), kAda).value();
    ASSERT_TRUE(ada.has_value());
    EXPECT_EQ((*ada)["status"], "Erased");
    EXPECT_EQ((*ada)["customerId"], kAda.str());
    EXPECT_FALSE(ada->contains("email"));
    EXPECT_FALSE(profiles.find_by_email(*snapshot, profiles.ns(), marker + "@example.com").value());
    EXPECT_FALSE(profiles.find_by_username(*snapshot, profiles.ns(), "user" + marker).value());
    EXPECT_TRUE(addresses.addresses(*snapshot, addresses.ns(), kAda).value().empty());
  }

  // A rebuild from the log after the erasure reads the same anonymous record.
  store.reset();
  std::filesystem::remove_all(dir.path() / "views");
  store = std::move(infra::RocksDbReadModelStore::open(dir.path() / "views").value());
  ASSERT_TRUE(Projector(*log, keys, *store, models).catch_up().ok());
  const auto rebuilt = profiles.find(*store->snapshot(), profiles.ns(), kAda).value();
  ASSERT_TRUE(rebuilt.has_value());
  EXPECT_EQ((*rebuilt)["status"], "Erased");
  EXPECT_EQ((*rebuilt)["type"], (*ada)["type"]);
}

}  // namespace
}  // namespace clientele::projections
