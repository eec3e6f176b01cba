// The read-model store port on RocksDB: namespaces, batches, snapshots, and erasure by compaction.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <set>
#include <thread>

#include "infra/rocksdb_read_model_store.hpp"
#include "tests/support/files.hpp"
#include "tests/support/numbered.hpp"
#include "tests/support/temp_dir.hpp"

namespace clientele::infra {
namespace {

using namespace std::string_literals;
using projections::KeyRange;
using projections::Namespace;
using projections::parse_namespace;
using projections::Snapshot;
using projections::WriteBatch;
using testing::files_containing;
using testing::numbered;
using testing::TempDir;

const Namespace kProfile{"profile", 3};
const Namespace kByEmail{"by_email", 1};
const Namespace kMissing{"missing", 1};

const std::vector<std::string> kNoFiles;

// The keys and values a scan visited, in order.
using Rows = std::vector<std::pair<std::string, std::string>>;

std::unique_ptr<RocksDbReadModelStore> open_store(const std::filesystem::path& dir) {
  auto store = RocksDbReadModelStore::open(dir);
  if (!store) throw std::runtime_error(store.error().message);
  return std::move(*store);
}

// Collects what a scan visits; stops after `limit` rows.
struct Collector {
  Rows rows;
  std::size_t limit = SIZE_MAX;

  projections::Visit visit() {
    return [this](std::string_view key, std::string_view value) {
      rows.emplace_back(key, value);
      return rows.size() < limit;
    };
  }
};

Rows scan(WriteBatch& batch, const Namespace& ns, const KeyRange& range) {
  Collector c;
  const auto r = batch.scan(ns, range, c.visit());
  if (!r) throw std::runtime_error(r.error().message);
  return c.rows;
}

Rows scan(const Snapshot& snapshot, const Namespace& ns, const KeyRange& range) {
  Collector c;
  const auto r = snapshot.scan(ns, range, c.visit());
  if (!r) throw std::runtime_error(r.error().message);
  return c.rows;
}

Rows scan_backward(const Snapshot& snapshot, const Namespace& ns, const KeyRange& range) {
  Collector c;
  const auto r = snapshot.scan_backward(ns, range, c.visit());
  if (!r) throw std::runtime_error(r.error().message);
  return c.rows;
}

// The keys of `rows`, in order.
std::vector<std::string> keys(const Rows& rows) {
  std::vector<std::string> result;
  for (const auto& row : rows) result.push_back(row.first);
  return result;
}

// Commits `rows` into `ns` in one batch.
void put_rows(RocksDbReadModelStore& store, const Namespace& ns, const Rows& rows) {
  auto batch = store.batch();
  for (const auto& [key, value] : rows) batch->put(ns, key, value);
  const auto r = store.commit(*batch);
  if (!r) throw std::runtime_error(r.error().message);
}

std::optional<std::string> read(RocksDbReadModelStore& store, const Namespace& ns,
                                const std::string& key) {
  auto value = store.snapshot()->get(ns, key);
  if (!value) throw std::runtime_error(value.error().message);
  return *value;
}

std::set<std::string> names(const std::vector<Namespace>& namespaces) {
  std::set<std::string> result;
  for (const auto& ns : namespaces) result.insert(ns.str());
  return result;
}

TEST(ReadModelStore, ANamespaceParsesFromModelDotVersion) {
  const auto ns = parse_namespace("profile.v3");
  ASSERT_TRUE(ns.has_value());
  EXPECT_EQ(ns->model, "profile");
  EXPECT_EQ(ns->version, 3);
  EXPECT_EQ(ns->str(), "profile.v3");
  EXPECT_EQ(parse_namespace("customer_list-2.v12"), (Namespace{"customer_list-2", 12}));
  EXPECT_EQ(parse_namespace("profile.v3.b2"), (Namespace{"profile", 3, 2}));
  EXPECT_EQ((Namespace{"profile", 3, 2}).str(), "profile.v3.b2");
}

TEST(ReadModelStore, OtherTextIsNoNamespace) {
  for (const auto* text : {"Profile.v3", "profile.v0", "profile.v03", "profile", ".v1",
                           "profile.v1x", "profile.v", "profile.v-1", "pro.file.v1", "",
                           "profile.v1.b0", "profile.v1.b", "profile.v1.b01", "profile.b1"}) {
    EXPECT_FALSE(parse_namespace(text).has_value()) << text;
  }
}

TEST(RocksDbReadModelStore, ANewStoreHasNoNamespaces) {
  TempDir dir;
  auto store = open_store(dir.path());
  EXPECT_TRUE(store->namespaces().empty());
}

TEST(RocksDbReadModelStore, CreatedNamespacesAreListedAndCreatingTwiceChangesNothing) {
  TempDir dir;
  auto store = open_store(dir.path());
  ASSERT_TRUE(store->create(kProfile).ok());
  put_rows(*store, kProfile, {{"k", "v"}});
  ASSERT_TRUE(store->create(kProfile).ok());
  ASSERT_TRUE(store->create(kByEmail).ok());
  EXPECT_EQ(names(store->namespaces()), (std::set<std::string>{"profile.v3", "by_email.v1"}));
  EXPECT_EQ(read(*store, kProfile, "k"), "v");
}

TEST(RocksDbReadModelStore, ANamespaceThatWouldNotParseIsNotCreated) {
  TempDir dir;
  auto store = open_store(dir.path());
  for (const auto& ns : {Namespace{"Profile", 1}, Namespace{"profile", 0}, Namespace{"", 1},
                         Namespace{"pro.file", 1}}) {
    const auto r = store->create(ns);
    ASSERT_FALSE(r.ok()) << ns.str();
    EXPECT_EQ(r.error().code, errc::invalid);
  }
  EXPECT_TRUE(store->namespaces().empty());
}

TEST(RocksDbReadModelStore, DroppingANamespaceDeletesItAndItsRows) {
  TempDir dir;
  auto store = open_store(dir.path());
  ASSERT_TRUE(store->create(kProfile).ok());
  ASSERT_TRUE(store->create(kByEmail).ok());
  put_rows(*store, kProfile, {{"k", "v"}});
  ASSERT_TRUE(store->drop(kProfile).ok());
  EXPECT_EQ(names(store->namespaces()), (std::set<std::string>{"by_email.v1"}));
  EXPECT_EQ(store->snapshot()->get(kProfile, "k").error().code, errc::not_found);
  const auto again = store->drop(kProfile);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, errc::not_found);

  ASSERT_TRUE(store->create(kProfile).ok());
  EXPECT_EQ(read(*store, kProfile, "k"), std::nullopt);
}

TEST(RocksDbReadModelStore, NamespacesAndRowsPersistAcrossReopening) {
  TempDir dir;
  {
    auto store = open_store(dir.path());
    ASSERT_TRUE(store->create(kProfile).ok());
    ASSERT_TRUE(store->create(kByEmail).ok());
    ASSERT_TRUE(store->create(Namespace{"orders", 2}).ok());
    ASSERT_TRUE(store->drop(kByEmail).ok());
    put_rows(*store, kProfile, {{"k", "v"}});
  }
  auto store = open_store(dir.path());
  EXPECT_EQ(names(store->namespaces()), (std::set<std::string>{"profile.v3", "orders.v2"}));
  EXPECT_EQ(read(*store, kProfile, "k"), "v");
}

TEST(RocksDbReadModelStore, ABatchReadsItsOwnPendingWrites) {
  TempDir dir;
  auto store = open_store(dir.path());
  ASSERT_TRUE(store->create(kProfile).ok());
  put_rows(*store, kProfile, {{"kept", "1"}, {"overwritten", "old"}, {"removed", "3"}});

  auto batch = store->batch();
  batch->put(kProfile, "overwritten", "new");
  batch->put(kProfile, "added", "4");
  batch->put(kProfile, "added", "5");
  batch->remove(kProfile, "removed");
  EXPECT_EQ(batch->size(), 4u);

  EXPECT_EQ(*batch->get(kProfile, "kept"), "1");
  EXPECT_EQ(*batch->get(kProfile, "overwritten"), "new");
  EXPECT_EQ(*batch->get(kProfile, "added"), "5");
  EXPECT_EQ(*batch->get(kProfile, "removed"), std::nullopt);
  EXPECT_EQ(*batch->get(kProfile, "absent"), std::nullopt);
  EXPECT_EQ(scan(*batch, kProfile, {}),
            (Rows{{"added", "5"}, {"kept", "1"}, {"overwritten", "new"}}));
  // Nothing is committed yet.
  EXPECT_EQ(read(*store, kProfile, "overwritten"), "old");
  EXPECT_EQ(read(*store, kProfile, "added"), std::nullopt);

  ASSERT_TRUE(store->commit(*batch).ok());
  EXPECT_EQ(scan(*store->snapshot(), kProfile, {}),
            (Rows{{"added", "5"}, {"kept", "1"}, {"overwritten", "new"}}));
}

TEST(RocksDbReadModelStore, AScanVisitsKeysInByteOrderWithinTheRange) {
  TempDir dir;
  auto store = open_store(dir.path());
  ASSERT_TRUE(store->create(kProfile).ok());
  put_rows(*store, kProfile, {{"a", ""}, {"c", ""}, {"\x80", ""}});
  auto batch = store->batch();
  batch->put(kProfile, "b", "");
  batch->put(kProfile, "d", "");
  batch->put(kProfile, "\x7f", "");

  EXPECT_EQ(keys(scan(*batch, kProfile, {})),
            (std::vector<std::string>{"a", "b", "c", "d", "\x7f", "\x80"}));
  EXPECT_EQ(keys(scan(*batch, kProfile, {"b", "d"})), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(keys(scan(*batch, kProfile, {"bb", ""})),
            (std::vector<std::string>{"c", "d", "\x7f", "\x80"}));
  EXPECT_EQ(keys(scan(*batch, kProfile, {"d", "b"})), std::vector<std::string>{});
  Collector first_two{.rows = {}, .limit = 2};
  ASSERT_TRUE(batch->scan(kProfile, {"b", ""}, first_two.visit()).ok());
  EXPECT_EQ(keys(first_two.rows), (std::vector<std::string>{"b", "c"}));

  ASSERT_TRUE(store->commit(*batch).ok());
  const auto snapshot = store->snapshot();
  EXPECT_EQ(keys(scan(*snapshot, kProfile, {"b", "d"})), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(keys(scan(*snapshot, kProfile, {"c", ""})),
            (std::vector<std::string>{"c", "d", "\x7f", "\x80"}));
}

TEST(RocksDbReadModelStore, APrefixScanVisitsExactlyTheKeysWithThePrefix) {
  TempDir dir;
  auto store = open_store(dir.path());
  ASSERT_TRUE(store->create(kProfile).ok());
  const std::vector<std::string> all{"user.",         "user.\xfe",   "user.\xff", "user.\xff\x00"s,
                                     "user.\xff\xff", "user/",       "\xff",      "\xff\xfe",
                                     "\xff\xff",      "\xff\xff\x01"};
  Rows committed;
  for (std::size_t i = 0; i < all.size(); i += 2) committed.emplace_back(all[i], "");
  put_rows(*store, kProfile, committed);
  auto batch = store->batch();
  for (std::size_t i = 1; i < all.size(); i += 2) batch->put(kProfile, all[i], "");

  const std::vector<std::string> under_ff{"user.\xff", "user.\xff\x00"s, "user.\xff\xff"};
  const std::vector<std::string> under_ffff{"\xff\xff", "\xff\xff\x01"};
  EXPECT_EQ(keys(scan(*batch, kProfile, KeyRange::prefixed("user.\xff"))), under_ff);
  EXPECT_EQ(keys(scan(*batch, kProfile, KeyRange::prefixed("\xff\xff"))), under_ffff);
  EXPECT_EQ(keys(scan(*batch, kProfile, KeyRange::prefixed("user."))).size(), 5u);

  ASSERT_TRUE(store->commit(*batch).ok());
  const auto snapshot = store->snapshot();
  EXPECT_EQ(keys(scan(*snapshot, kProfile, KeyRange::prefixed("user.\xff"))), under_ff);
  EXPECT_EQ(keys(scan(*snapshot, kProfile, KeyRange::prefixed("\xff\xff"))), under_ffff);
  auto backward = under_ff;
  std::reverse(backward.begin(), backward.end());
  EXPECT_EQ(keys(scan_backward(*snapshot, kProfile, KeyRange::prefixed("user.\xff"))), backward);
}

TEST(RocksDbReadModelStore, ACommitAppliesItsWritesToEveryNamespaceTogether) {
  TempDir dir;
  auto store = open_store(dir.path());
  ASSERT_TRUE(store->create(kProfile).ok());
  ASSERT_TRUE(store->create(kByEmail).ok());
  const auto before = store->snapshot();
  auto batch = store->batch();
  batch->put(kProfile, "customer/1", "ada");
  batch->put(kByEmail, "ada@example.com", "customer/1");
  ASSERT_TRUE(store->commit(*batch).ok());

  const auto after = store->snapshot();
  EXPECT_EQ(*after->get(kProfile, "customer/1"), "ada");
  EXPECT_EQ(*after->get(kByEmail, "ada@example.com"), "customer/1");
  EXPECT_EQ(*before->get(kProfile, "customer/1"), std::nullopt);
  EXPECT_EQ(*before->get(kByEmail, "ada@example.com"), std::nullopt);
}

TEST(RocksDbReadModelStore, ABatchTouchingAMissingNamespaceAppliesNothing) {
  TempDir dir;
  auto store = open_store(dir.path());
  ASSERT_TRUE(store->create(kProfile).ok());
  auto batch = store->batch();
  batch->put(kProfile, "customer/1", "ada");
  batch->put(kMissing, "k", "v");
  batch->put(kProfile, "customer/2", "bob");
  EXPECT_EQ(batch->size(), 3u);
  const auto r = store->commit(*batch);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, errc::not_found);
  EXPECT_NE(r.error().message.find("missing.v1"), std::string::npos) << r.error().message;
  EXPECT_EQ(read(*store, kProfile, "customer/1"), std::nullopt);
  EXPECT_EQ(read(*store, kProfile, "customer/2"), std::nullopt);
  // Created too late: the batch still does not commit.
  ASSERT_TRUE(store->create(kMissing).ok());
  EXPECT_EQ(store->commit(*batch).error().code, errc::not_found);
  EXPECT_EQ(read(*store, kMissing, "k"), std::nullopt);
}

TEST(RocksDbReadModelStore, ReadingAMissingNamespaceIsNotFoundAndFailsTheBatch) {
  TempDir dir;
  auto store = open_store(dir.path());
  ASSERT_TRUE(store->create(kProfile).ok());
  auto batch = store->batch();
  EXPECT_EQ(batch->get(kMissing, "k").error().code, errc::not_found);
  Collector c;
  EXPECT_EQ(batch->scan(kMissing, {}, c.visit()).error().code, errc::not_found);
  batch->put(kProfile, "k", "v");
  EXPECT_EQ(store->commit(*batch).error().code, errc::not_found);
  EXPECT_EQ(read(*store, kProfile, "k"), std::nullopt);
}

TEST(RocksDbReadModelStore, ABatchWhoseNamespaceWasDroppedSinceAppliesNothing) {
  TempDir dir;
  auto store = open_store(dir.path());
  ASSERT_TRUE(store->create(kProfile).ok());
  ASSERT_TRUE(store->create(kByEmail).ok());
  auto batch = store->batch();
  batch->put(kProfile, "customer/1", "ada");
  batch->put(kByEmail, "ada@example.com", "customer/1");
  ASSERT_TRUE(store->drop(kByEmail).ok());
  ASSERT_TRUE(store->create(kByEmail).ok());
  const auto r = store->commit(*batch);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, errc::not_found);
  EXPECT_EQ(read(*store, kProfile, "customer/1"), std::nullopt);
  EXPECT_EQ(read(*store, kByEmail, "ada@example.com"), std::nullopt);
}

TEST(RocksDbReadModelStore, ABatchFromAnotherStoreIsRefused) {
  TempDir one, other;
  auto store = open_store(one.path());
  auto foreign = open_store(other.path());
  ASSERT_TRUE(store->create(kProfile).ok());
  ASSERT_TRUE(foreign->create(kProfile).ok());
  auto batch = foreign->batch();
  batch->put(kProfile, "k", "v");
  EXPECT_EQ(store->commit(*batch).error().code, errc::invalid);
  EXPECT_EQ(read(*store, kProfile, "k"), std::nullopt);
}

TEST(RocksDbReadModelStore, ASnapshotDoesNotSeeLaterCommits) {
  TempDir dir;
  auto store = open_store(dir.path());
  ASSERT_TRUE(store->create(kProfile).ok());
  put_rows(*store, kProfile, {{"a", "1"}, {"b", "2"}});
  const auto snapshot = store->snapshot();
  auto batch = store->batch();
  batch->put(kProfile, "a", "changed");
  batch->remove(kProfile, "b");
  batch->put(kProfile, "c", "3");
  ASSERT_TRUE(store->commit(*batch).ok());
  ASSERT_TRUE(store->create(kByEmail).ok());

  EXPECT_EQ(*snapshot->get(kProfile, "a"), "1");
  EXPECT_EQ(*snapshot->get(kProfile, "c"), std::nullopt);
  EXPECT_EQ(scan(*snapshot, kProfile, {}), (Rows{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(snapshot->get(kByEmail, "k").error().code, errc::not_found);
  EXPECT_EQ(scan(*store->snapshot(), kProfile, {}), (Rows{{"a", "changed"}, {"c", "3"}}));
}

TEST(RocksDbReadModelStore, ABackwardScanVisitsKeysFromLastToFirst) {
  TempDir dir;
  auto store = open_store(dir.path());
  ASSERT_TRUE(store->create(kProfile).ok());
  put_rows(*store, kProfile, {{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}, {"\x80", "5"}});
  const auto snapshot = store->snapshot();
  EXPECT_EQ(keys(scan_backward(*snapshot, kProfile, {})),
            (std::vector<std::string>{"\x80", "d", "c", "b", "a"}));
  EXPECT_EQ(keys(scan_backward(*snapshot, kProfile, {"b", "d"})),
            (std::vector<std::string>{"c", "b"}));
  EXPECT_EQ(keys(scan_backward(*snapshot, kProfile, {"bb", "cc"})),
            (std::vector<std::string>{"c"}));
  EXPECT_EQ(keys(scan_backward(*snapshot, kProfile, {"d", "b"})), std::vector<std::string>{});
  Collector last_two{.rows = {}, .limit = 2};
  ASSERT_TRUE(snapshot->scan_backward(kProfile, {"a", ""}, last_two.visit()).ok());
  EXPECT_EQ(last_two.rows, (Rows{{"\x80", "5"}, {"d", "4"}}));
}

TEST(RocksDbReadModelStore, ASnapshotTakenBeforeADropStillReadsTheDroppedNamespace) {
  TempDir dir;
  auto store = open_store(dir.path());
  ASSERT_TRUE(store->create(kProfile).ok());
  put_rows(*store, kProfile, {{"a", "1"}, {"b", "2"}});
  const auto before = store->snapshot();
  ASSERT_TRUE(store->drop(kProfile).ok());
  ASSERT_TRUE(store->create(kProfile).ok());
  put_rows(*store, kProfile, {{"c", "3"}});
  ASSERT_TRUE(store->compact().ok());

  EXPECT_EQ(*before->get(kProfile, "a"), "1");
  EXPECT_EQ(scan(*before, kProfile, {}), (Rows{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(scan_backward(*before, kProfile, {}), (Rows{{"b", "2"}, {"a", "1"}}));
  EXPECT_EQ(scan(*store->snapshot(), kProfile, {}), (Rows{{"c", "3"}}));
}

TEST(RocksDbReadModelStore, ConcurrentCommitsOfDisjointKeysAllLand) {
  TempDir dir;
  auto store = open_store(dir.path());
  ASSERT_TRUE(store->create(kProfile).ok());
  ASSERT_TRUE(store->create(kByEmail).ok());
  constexpr int kThreads = 4;
  constexpr int kCommits = 200;
  std::vector<std::thread> threads;
  std::atomic<int> failures = 0;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCommits; ++i) {
        auto batch = store->batch();
        const auto key = numbered(numbered("t", t) + "/", i);
        batch->put(kProfile, key, std::to_string(i));
        batch->put(kByEmail, key, std::to_string(i));
        if (!store->commit(*batch).ok()) ++failures;
        if (!store->snapshot()->get(kProfile, key).ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  const auto snapshot = store->snapshot();
  for (int t = 0; t < kThreads; ++t) {
    const auto prefix = KeyRange::prefixed(numbered("t", t) + "/");
    EXPECT_EQ(scan(*snapshot, kProfile, prefix).size(), std::size_t{kCommits});
    EXPECT_EQ(scan(*snapshot, kByEmail, prefix).size(), std::size_t{kCommits});
  }
}

TEST(RocksDbReadModelStore, ConcurrentCreatesOfOneNamespaceAllSucceed) {
  TempDir dir;
  auto store = open_store(dir.path());
  std::vector<std::thread> threads;
  std::atomic<int> failures = 0;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      if (!store->create(kProfile).ok()) ++failures;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(names(store->namespaces()), (std::set<std::string>{"profile.v3"}));
}

TEST(RocksDbReadModelStore, ASecondOpenOfAnOpenStoreIsUnavailable) {
  TempDir dir;
  auto store = open_store(dir.path());
  ASSERT_TRUE(store->create(kProfile).ok());
  const auto second = RocksDbReadModelStore::open(dir.path());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, errc::unavailable);
  EXPECT_NE(second.error().message.find(dir.path().string()), std::string::npos)
      << second.error().message;
}

TEST(RocksDbReadModelStore, CompactionLeavesNoTraceOfRemovedOrOverwrittenRowsInAnyFile) {
  TempDir dir;
  auto store = open_store(dir.path());
  ASSERT_TRUE(store->create(kProfile).ok());
  ASSERT_TRUE(store->create(kByEmail).ok());
  // Markers share no 4 bytes, so that compression keeps each one whole.
  const std::string in_value = "Qv7f3a9c51e20bZ";
  const std::string in_key = "Kb84d06ee13c7Wm";
  const std::string overwritten = "Ow5e9d2a70c4f1J";
  {
    auto batch = store->batch();
    batch->put(kProfile, "customer/1", "name=" + in_value);
    batch->put(kProfile, "customer/2", "name=" + overwritten);
    batch->put(kProfile, "customer/3", "name=kept");
    batch->put(kByEmail, "email/" + in_key, "customer/1");
    batch->put(kByEmail, "email/kept", "customer/3");
    ASSERT_TRUE(store->commit(*batch).ok());
  }
  ASSERT_TRUE(store->compact().ok());
  // The search finds what is there.
  ASSERT_FALSE(files_containing({dir.path()}, in_value).empty());
  ASSERT_FALSE(files_containing({dir.path()}, in_key).empty());
  ASSERT_FALSE(files_containing({dir.path()}, overwritten).empty());

  {
    auto batch = store->batch();
    batch->remove(kProfile, "customer/1");
    batch->put(kProfile, "customer/2", "name=new");
    batch->remove(kByEmail, "email/" + in_key);
    ASSERT_TRUE(store->commit(*batch).ok());
  }
  ASSERT_TRUE(store->compact().ok());
  EXPECT_EQ(files_containing({dir.path()}, in_value), kNoFiles);
  EXPECT_EQ(files_containing({dir.path()}, in_key), kNoFiles);
  EXPECT_EQ(files_containing({dir.path()}, overwritten), kNoFiles);
  EXPECT_EQ(read(*store, kProfile, "customer/3"), "name=kept");
  EXPECT_EQ(read(*store, kProfile, "customer/2"), "name=new");
  EXPECT_EQ(read(*store, kByEmail, "email/kept"), "customer/3");
}

TEST(RocksDbReadModelStore, CompactionLeavesNoTraceOfADroppedNamespaceInAnyFile) {
  TempDir dir;
  auto store = open_store(dir.path());
  ASSERT_TRUE(store->create(kProfile).ok());
  ASSERT_TRUE(store->create(kByEmail).ok());
  const std::string marker = "Dm0c6b1f8d93a2X";
  put_rows(*store, kProfile, {{"customer/" + marker, "name=" + marker}});
  put_rows(*store, kByEmail, {{"email/kept", "customer/3"}});
  ASSERT_TRUE(store->compact().ok());
  ASSERT_FALSE(files_containing({dir.path()}, marker).empty());

  ASSERT_TRUE(store->drop(kProfile).ok());
  ASSERT_TRUE(store->compact().ok());
  EXPECT_EQ(files_containing({dir.path()}, marker), kNoFiles);
  EXPECT_EQ(read(*store, kByEmail, "email/kept"), "customer/3");
}

TEST(RocksDbReadModelStore, ASeekerFindsTheFirstKeyOfItsRangeAtOrAfterEachSeekOfItsSnapshot) {
  TempDir dir;
  auto store = open_store(dir.path());
  ASSERT_TRUE(store->create(kProfile).ok());
  put_rows(*store, kProfile, {{"g/a/1", ""}, {"g/a/4", ""}, {"g/a/7", ""}, {"g/b/2", ""}});
  const auto snapshot = store->snapshot();
  put_rows(*store, kProfile, {{"g/a/5", ""}});  // after the snapshot: never found

  auto seeker = snapshot->seeker(kProfile, KeyRange::prefixed("g/a/"));
  ASSERT_TRUE(seeker.ok());
  const auto seek = [&](std::string_view from) {
    auto found = (*seeker)->seek(from);
    if (!found) throw std::runtime_error(found.error().message);
    return *found;
  };
  EXPECT_EQ(seek(""), "g/a/1");  // before the range: its first key
  EXPECT_EQ(seek("g/a/2"), "g/a/4");
  EXPECT_EQ(seek("g/a/4"), "g/a/4");
  EXPECT_EQ(seek("g/a/1"), "g/a/1");  // seeking back works too
  EXPECT_EQ(seek("g/a/5"), "g/a/7");
  EXPECT_EQ(seek("g/a/8"), std::nullopt);  // "g/b/2" lies past the range
  EXPECT_EQ(snapshot->seeker(kMissing, {}).error().code, errc::not_found);
}

TEST(RocksDbReadModelStore, SettlingANamespaceKeepsEveryRowAndAMissingOneIsNotFound) {
  TempDir dir;
  auto store = open_store(dir.path());
  ASSERT_TRUE(store->create(kProfile).ok());
  for (int round = 0; round < 3; ++round) {
    put_rows(*store, kProfile, {{numbered("row/", round), numbered("value ", round)}});
    ASSERT_TRUE(store->settle(kProfile).ok());
  }
  EXPECT_EQ(scan(*store->snapshot(), kProfile, {}),
            (Rows{{"row/0", "value 0"}, {"row/1", "value 1"}, {"row/2", "value 2"}}));
  EXPECT_EQ(store->settle(kMissing).error().code, errc::not_found);
}

}  // namespace
}  // namespace clientele::infra
