// The stores opened read-only as RocksDB secondary instances while their primary is open — as the
// read-only subcommands open them beside the running service (DESIGN.md §7).

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "infra/embedded_event_log.hpp"
#include "infra/rocksdb_key_store.hpp"
#include "infra/rocksdb_read_model_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace clientele::infra {
namespace {

using namespace std::chrono_literals;
using events::SecretKey;
using projections::KeyRange;
using projections::Namespace;
using testing::TempDir;

const Namespace kProfile{"profile", 1};
const CustomerId kAda("CUST_0000ada1");
const CustomerId kBob("CUST_0000b0b1");

template <class T>
T must(Result<T> result) {
  if (!result) throw std::runtime_error(result.error().message);
  return std::move(*result);
}

void write(RocksDbReadModelStore& store, const std::string& key, const std::string& value) {
  auto batch = store.batch();
  batch->put(kProfile, key, value);
  ASSERT_TRUE(store.commit(*batch).ok());
}

std::optional<std::string> read(projections::ReadModelStore& store, const std::string& key) {
  return must(store.snapshot()->get(kProfile, key));
}

// Every key and value of kProfile, forward then backward.
std::vector<std::string> rows(projections::ReadModelStore& store) {
  std::vector<std::string> out;
  const auto snapshot = store.snapshot();
  const auto visit = [&](std::string_view key, std::string_view value) {
    out.push_back(std::string(key) + "=" + std::string(value));
    return true;
  };
  EXPECT_TRUE(snapshot->scan(kProfile, KeyRange{}, visit).ok());
  EXPECT_TRUE(snapshot->scan_backward(kProfile, KeyRange{}, visit).ok());
  return out;
}

TEST(ReadModelStoreSecondary, ReadsTheStoreWhileItIsOpenAsItWasWhenOpened) {
  TempDir dir;
  auto primary = must(RocksDbReadModelStore::open(dir.path() / "views"));
  ASSERT_TRUE(primary->create(kProfile).ok());
  write(*primary, "a", "1");
  write(*primary, "b", "2");

  auto secondary =
      must(RocksDbReadModelStore::open_secondary(dir.path() / "views", dir.path() / "secondary"));
  EXPECT_EQ(secondary->namespaces(), std::vector<Namespace>{kProfile});
  EXPECT_EQ(read(*secondary, "a"), "1");
  EXPECT_EQ(rows(*secondary), (std::vector<std::string>{"a=1", "b=2", "b=2", "a=1"}));

  // Later commits of the primary do not show: every read sees the moment of the opening.
  write(*primary, "a", "changed");
  write(*primary, "c", "3");
  EXPECT_EQ(read(*secondary, "a"), "1");
  EXPECT_EQ(rows(*secondary), (std::vector<std::string>{"a=1", "b=2", "b=2", "a=1"}));

  auto later =
      must(RocksDbReadModelStore::open_secondary(dir.path() / "views", dir.path() / "secondary2"));
  EXPECT_EQ(read(*later, "a"), "changed");
  EXPECT_EQ(read(*later, "c"), "3");
}

TEST(ReadModelStoreSecondary, KeepsReadingFilesThePrimaryCompactsAway) {
  TempDir dir;
  auto primary = must(RocksDbReadModelStore::open(dir.path() / "views"));
  ASSERT_TRUE(primary->create(kProfile).ok());
  write(*primary, "a", "old");
  ASSERT_TRUE(primary->compact().ok());  // "a" is in a table file now
  auto secondary =
      must(RocksDbReadModelStore::open_secondary(dir.path() / "views", dir.path() / "secondary"));

  write(*primary, "a", "new");
  ASSERT_TRUE(primary->compact().ok());  // the file holding "old" is deleted
  EXPECT_EQ(read(*secondary, "a"), "old");
  EXPECT_EQ(rows(*secondary), (std::vector<std::string>{"a=old", "a=old"}));
}

TEST(ReadModelStoreSecondary, RefusesEveryWriteAndLeavesThePrimaryAsItWas) {
  TempDir dir;
  auto primary = must(RocksDbReadModelStore::open(dir.path() / "views"));
  ASSERT_TRUE(primary->create(kProfile).ok());
  write(*primary, "a", "1");
  auto secondary =
      must(RocksDbReadModelStore::open_secondary(dir.path() / "views", dir.path() / "secondary"));

  EXPECT_EQ(secondary->create({"other", 1}).error().code, errc::unavailable);
  EXPECT_EQ(secondary->drop(kProfile).error().code, errc::unavailable);
  EXPECT_EQ(secondary->compact().error().code, errc::unavailable);
  auto batch = secondary->batch();
  batch->put(kProfile, "a", "overwritten");
  EXPECT_EQ(secondary->commit(*batch).error().code, errc::unavailable);
  EXPECT_EQ(read(*primary, "a"), "1");
  EXPECT_EQ(primary->namespaces(), std::vector<Namespace>{kProfile});
}

TEST(ReadModelStoreSecondary, NoStoreIsNotFoundAndNothingIsCreated) {
  TempDir dir;
  auto none = RocksDbReadModelStore::open_secondary(dir.path() / "views", dir.path() / "secondary");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, errc::not_found);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "views"));
}

events::EncodedEvent event(const std::string& payload) {
  return events::EncodedEvent{"id-" + payload, "test.appended", 1, payload};
}

TEST(EmbeddedEventLogSecondary, ReadsTheLogWhileItIsOpenAsItWasWhenOpened) {
  TempDir dir;
  const EmbeddedLogOptions options{dir.path() / "events", 4};
  auto primary = must(EmbeddedEventLog::open(options));
  const std::vector<events::EncodedEvent> three{event("e1"), event("e2"), event("e3")};
  const auto partition = primary->partition_for("CUST_00000001");
  ASSERT_TRUE(primary->append("CUST_00000001", three).ok());

  auto secondary = must(EmbeddedEventLog::open_secondary(options, dir.path() / "secondary"));
  EXPECT_EQ(secondary->partition_count(), 4);
  EXPECT_EQ(must(secondary->end_offset(partition)).value, 3);
  auto cursor = must(secondary->open_cursor(partition, events::Offset{1}));
  const auto records = must(cursor->next(10, 0ms));
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].payload, "e2");
  EXPECT_EQ(records[1].payload, "e3");
  EXPECT_EQ(records[1].key, "CUST_00000001");

  const auto more = event("e4");
  ASSERT_TRUE(primary->append("CUST_00000001", std::span(&more, 1)).ok());
  EXPECT_EQ(must(secondary->end_offset(partition)).value, 3);
  EXPECT_TRUE(must(cursor->next(10, 10ms)).empty());
  EXPECT_EQ(secondary->append("CUST_00000001", std::span(&more, 1)).error().code,
            errc::unavailable);

  auto later = must(EmbeddedEventLog::open_secondary(options, dir.path() / "secondary2"));
  EXPECT_EQ(must(later->end_offset(partition)).value, 4);
  EXPECT_EQ(must(primary->end_offset(partition)).value, 4);
}

TEST(EmbeddedEventLogSecondary, APartitionCountOtherThanTheLogsIsRefused) {
  TempDir dir;
  auto primary = must(EmbeddedEventLog::open({dir.path() / "events", 4}));
  auto other = EmbeddedEventLog::open_secondary({dir.path() / "events", 6}, dir.path() / "s");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, errc::invalid);
  EXPECT_EQ(
      EmbeddedEventLog::open_secondary({dir.path() / "none", 4}, dir.path() / "s2").error().code,
      errc::not_found);
}

SecretKey copy_of(const SecretKey& key) {
  return SecretKey(key.bytes());
}

TEST(RocksDbKeyStoreSecondary, OpensTheKeysThePrimaryMadeAndMakesOrDestroysNone) {
  TempDir dir;
  const auto kek = SecretKey::random();
  auto primary = must(RocksDbKeyStore::open(dir.path() / "keys", copy_of(kek)));
  const auto ada = must(primary->key_for_sealing(kAda));

  auto secondary = must(
      RocksDbKeyStore::open_secondary(dir.path() / "keys", copy_of(kek), dir.path() / "secondary"));
  const auto opened = must(secondary->key_for_opening(kAda, ada->id));
  EXPECT_EQ(opened->key.hex(), ada->key.hex());
  EXPECT_EQ(must(secondary->key_for_sealing(kAda))->id, ada->id);

  EXPECT_EQ(secondary->key_for_sealing(kBob).error().code, errc::unavailable);
  EXPECT_FALSE(secondary->destroy(kAda).ok());
  EXPECT_FALSE(must(primary->is_destroyed(kAda)));
  EXPECT_EQ(must(primary->key_for_opening(kAda, ada->id))->key.hex(), ada->key.hex());
}

TEST(RocksDbKeyStoreSecondary, AWrongKeyEncryptionKeyIsRefused) {
  TempDir dir;
  auto primary = must(RocksDbKeyStore::open(dir.path() / "keys", SecretKey::random()));
  auto wrong = RocksDbKeyStore::open_secondary(dir.path() / "keys", SecretKey::random(),
                                               dir.path() / "secondary");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, errc::invalid);
}

}  // namespace
}  // namespace clientele::infra
