#include "infra/rocksdb_read_model_store.hpp"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/transaction_log.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "infra/rocksdb_secondary.hpp"
#include "infra/rocksdb_support.hpp"

namespace clientele::infra {
namespace {

using projections::KeyRange;
using projections::Namespace;
using projections::Visit;

// A column family handle; its last owner destroys it. RocksDB keeps a dropped column family's
// data readable while a handle to it lives.
using Family = std::shared_ptr<rocksdb::ColumnFamilyHandle>;
// Column families by name.
using Families = std::unordered_map<std::string, Family>;

// The row compact() rewrites in the default column family (which holds no namespace), so that
// RocksDB writes one more MANIFEST after the compaction.
constexpr const char* kCompactionRow = "meta/compaction";

Error no_namespace(const std::string& name) {
  return make_error(errc::not_found, "", "namespace " + name + " does not exist");
}

rocksdb::Slice slice(std::string_view text) {
  return {text.data(), text.size()};
}

std::string_view view(const rocksdb::Slice& bytes) {
  return {bytes.data(), bytes.size()};
}

Family own(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* handle) {
  return Family(handle, [db](rocksdb::ColumnFamilyHandle* h) { db->DestroyColumnFamilyHandle(h); });
}

rocksdb::DBOptions db_options() {
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.IncreaseParallelism(2);
  options.WAL_ttl_seconds = 0;  // no WAL archive: an obsolete WAL file is deleted
  options.WAL_size_limit_MB = 0;
  options.recycle_log_file_num = 0;  // never reuse a WAL file (old bytes would linger)
  // A new MANIFEST at every change (the old one is deleted): a MANIFEST records the first and
  // last key of every table file, so an old one can name keys that compaction removed.
  options.max_manifest_file_size = 0;
  options.keep_log_file_num = 5;
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  return options;
}

// Many small rows, read by key and by range.
rocksdb::ColumnFamilyOptions family_options() {
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));  // a miss reads no data block
  // Shared by every column family. 256 MiB: search at a million events seeks in the trigram
  // lists all over the index, and read models are what the service reads.
  table.block_cache = rocksdb::NewLRUCache(256 << 20);
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  // Filters and indexes in partitions of a few KiB, found through a small top level kept in the
  // cache. A whole-file filter of the trigram lists (millions of keys: megabytes) is larger than
  // a shard of the cache, so it was read from the file again for every lookup — a millisecond
  // each, which made search at 100,000 customers some twenty times slower.
  table.index_type = rocksdb::BlockBasedTableOptions::IndexType::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.metadata_block_size = 4096;
  table.pin_top_level_index_and_filter = true;
  rocksdb::ColumnFamilyOptions options;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.level_compaction_dynamic_level_bytes = true;
  // Uncompressed, so that the erasure proof — no file holds a personal value of an erased
  // customer (DESIGN.md §3) — can search the raw bytes: compression would hide a leftover from
  // the search, not from a reader.
  options.compression = rocksdb::kNoCompression;
  options.bottommost_compression = rocksdb::kNoCompression;
  return options;
}

// The column families in `directory`; only "default" for a new store.
Result<std::vector<std::string>> family_names(const std::filesystem::path& directory) {
  std::vector<std::string> names;
  const auto s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), directory.string(), &names);
  if (s.ok()) return names;
  std::error_code ec;
  if (!std::filesystem::exists(directory / "CURRENT", ec) && !ec) {
    return std::vector<std::string>{rocksdb::kDefaultColumnFamilyName};
  }
  return rocksdb_unavailable(
      "cannot list the namespaces of the read-model store at " + directory.string(), s);
}

// True iff `range` holds no key.
bool is_empty(const KeyRange& range) {
  return !range.to.empty() && slice(range.to).compare(slice(range.from)) <= 0;
}

// Read options bounded to a key range; the range must outlive them, they point into it.
class BoundedRead {
 public:
  BoundedRead(const KeyRange& range, const rocksdb::Snapshot* snapshot)
      : from_(slice(range.from)), to_(slice(range.to)) {
    options.snapshot = snapshot;
    options.iterate_lower_bound = &from_;
    if (!range.to.empty()) options.iterate_upper_bound = &to_;
  }
  BoundedRead(const BoundedRead&) = delete;
  BoundedRead& operator=(const BoundedRead&) = delete;

  rocksdb::ReadOptions options;  // the snapshot (or none: the latest) and the bounds

 private:
  rocksdb::Slice from_;  // the first key of the range
  rocksdb::Slice to_;    // the first key past the range; empty for none
};

enum class Direction { forward, backward };

// Visits the keys of `range` that `it` yields, in `direction`, until `visit` returns false.
Result<void> walk(rocksdb::Iterator& it, const KeyRange& range, const Visit& visit,
                  Direction direction) {
  const rocksdb::Slice from = slice(range.from);
  const rocksdb::Slice to = slice(range.to);
  if (direction == Direction::forward) {
    for (it.Seek(from); it.Valid() && (to.empty() || it.key().compare(to) < 0); it.Next()) {
      if (!visit(view(it.key()), view(it.value()))) break;
    }
  } else {
    if (to.empty()) {
      it.SeekToLast();
    } else {
      it.SeekForPrev(to);
      if (it.Valid() && it.key().compare(to) >= 0) it.Prev();
    }
    for (; it.Valid() && it.key().compare(from) >= 0; it.Prev()) {
      if (!visit(view(it.key()), view(it.value()))) break;
    }
  }
  if (!it.status().ok())
    return rocksdb_unavailable("cannot read the read-model store", it.status());
  return success();
}

}  // namespace

struct RocksDbReadModelStore::Impl {
  rocksdb::ColumnFamilyOptions family_options;  // every column family's; one shared block cache
  std::unique_ptr<rocksdb::DB> db;              // the store
  Family default_family;         // holds no namespace; compact() writes kCompactionRow there
  mutable std::shared_mutex mu;  // held exclusively to create or drop a namespace
  Families families;             // every column family but "default"; guarded by mu
  bool secondary = false;        // opened read-only (open_secondary): no writes, no snapshots

  ~Impl() {
    families.clear();
    default_family.reset();
    if (db) db->Close();
  }

  // The column family named `name`, or null.
  Family find(const std::string& name) const {
    std::shared_lock lock(mu);
    const auto it = families.find(name);
    return it == families.end() ? nullptr : it->second;
  }

  // Flushes, then compacts every file of every column family into the bottommost level.
  // Requires mu held (shared).
  Result<void> rewrite_all() {
    std::vector<rocksdb::ColumnFamilyHandle*> all{default_family.get()};
    for (const auto& [name, family] : families) all.push_back(family.get());
    rocksdb::FlushOptions flush;
    flush.wait = true;
    for (auto* family : all) {
      const auto s = db->Flush(flush, family);
      if (!s.ok()) return rocksdb_unavailable("cannot flush the read-model store", s);
    }
    rocksdb::CompactRangeOptions compaction;
    compaction.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    for (auto* family : all) {
      const auto s = db->CompactRange(compaction, family, nullptr, nullptr);
      if (!s.ok()) return rocksdb_unavailable("cannot compact the read-model store", s);
    }
    return success();
  }

  // Makes RocksDB write a MANIFEST that records only the files live now (the one written by the
  // last compaction also records its input files), then waits until every obsolete file, the
  // old MANIFESTs and WAL files included, is deleted.
  Result<void> drop_obsolete_files() {
    auto s = db->Put(rocksdb::WriteOptions(), default_family.get(), kCompactionRow, "");
    if (s.ok()) {
      rocksdb::FlushOptions flush;
      flush.wait = true;
      s = db->Flush(flush, default_family.get());
    }
    if (!s.ok()) return rocksdb_unavailable("cannot flush the read-model store", s);
    // GetSortedWalFiles waits for the deletions under way, then deletes, in this thread, every
    // file no longer live.
    rocksdb::VectorLogPtr wal_files;
    s = db->GetSortedWalFiles(wal_files);
    if (!s.ok())
      return rocksdb_unavailable("cannot delete the obsolete files of the read-model store", s);
    return success();
  }
};

namespace {

using Impl = RocksDbReadModelStore::Impl;

// The pending writes of a batch to one namespace, in key order; nullopt marks a removal.
using PendingRows = std::map<std::string, std::optional<std::string>, std::less<>>;

// Visits the keys of `range` in `it` (what is committed) with `pending` merged over them, until
// `visit` returns false.
Result<void> walk_merged(rocksdb::Iterator& it, const PendingRows& pending, const KeyRange& range,
                         const Visit& visit) {
  const rocksdb::Slice to = slice(range.to);
  auto next = pending.lower_bound(range.from);
  const auto last = range.to.empty() ? pending.end() : pending.lower_bound(range.to);
  it.Seek(slice(range.from));
  for (;;) {
    const bool committed = it.Valid() && (to.empty() || it.key().compare(to) < 0);
    if (!committed && next == last) break;
    if (next != last && (!committed || it.key().compare(slice(next->first)) >= 0)) {
      if (committed && it.key().compare(slice(next->first)) == 0) it.Next();  // overwritten
      const auto& [key, value] = *next++;
      if (value && !visit(key, *value)) break;
      continue;
    }
    if (!visit(view(it.key()), view(it.value()))) break;
    it.Next();
  }
  if (!it.status().ok())
    return rocksdb_unavailable("cannot read the read-model store", it.status());
  return success();
}

// Writes are held in key order per namespace until the commit, so that a row written several
// times in one batch (a member updated by several events) goes to RocksDB once.
class Batch final : public projections::WriteBatch {
 public:
  explicit Batch(const Impl& store) : store_(store) {}

  Result<std::optional<std::string>> get(const Namespace& ns, std::string_view key) override {
    auto* target = touch(ns);
    if (target == nullptr) return no_namespace(ns.str());
    if (const auto it = target->rows.find(key); it != target->rows.end()) return it->second;
    std::string value;
    const auto s = store_.db->Get(rocksdb::ReadOptions(), target->family.get(), slice(key), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return rocksdb_unavailable("cannot read the read-model store", s);
    return std::optional<std::string>(std::move(value));
  }

  void put(const Namespace& ns, std::string_view key, std::string_view value) override {
    ++size_;
    if (auto* target = touch(ns)) set(target->rows, key, std::string(value));
  }

  void remove(const Namespace& ns, std::string_view key) override {
    ++size_;
    if (auto* target = touch(ns)) set(target->rows, key, std::nullopt);
  }

  Result<void> scan(const Namespace& ns, const KeyRange& range, const Visit& visit) override {
    auto* target = touch(ns);
    if (target == nullptr) return no_namespace(ns.str());
    if (is_empty(range)) return success();
    BoundedRead read(range, nullptr);
    std::unique_ptr<rocksdb::Iterator> it(
        store_.db->NewIterator(read.options, target->family.get()));
    return walk_merged(*it, target->rows, range, visit);
  }

  std::size_t size() const override { return size_; }

  const Impl& store() const { return store_; }
  // Why the batch cannot be committed, if it cannot.
  const std::optional<Error>& failure() const { return failure_; }
  // Every namespace the batch touched, with its column family then (null if there was none).
  Families touched() const {
    Families out;
    for (const auto& [name, target] : targets_) out.emplace(name, target.family);
    return out;
  }
  // The pending writes as one RocksDB batch.
  Result<rocksdb::WriteBatch> writes() const {
    rocksdb::WriteBatch out;
    for (const auto& [name, target] : targets_) {
      if (!target.family) continue;
      for (const auto& [key, value] : target.rows) {
        const auto s = value ? out.Put(target.family.get(), slice(key), slice(*value))
                             : out.Delete(target.family.get(), slice(key));
        if (!s.ok()) return rocksdb_unavailable("cannot add to a batch", s);
      }
    }
    return out;
  }

 private:
  struct Target {
    Family family;     // null when the namespace did not exist when the batch first touched it
    PendingRows rows;  // the pending writes
  };

  static void set(PendingRows& rows, std::string_view key, std::optional<std::string> value) {
    if (const auto it = rows.find(key); it != rows.end()) {
      it->second = std::move(value);
    } else {
      rows.emplace(std::string(key), std::move(value));
    }
  }

  // The pending writes to `ns`; null, and the batch's failure, when the namespace did not exist
  // when the batch first touched it.
  Target* touch(const Namespace& ns) {
    auto name = ns.str();
    auto it = targets_.find(name);
    if (it == targets_.end()) {
      auto family = store_.find(name);
      if (!family && !failure_) failure_ = no_namespace(name);
      it = targets_.emplace(std::move(name), Target{std::move(family), {}}).first;
    }
    return it->second.family ? &it->second : nullptr;
  }

  const Impl& store_;                                // the store the batch belongs to; outlives it
  std::unordered_map<std::string, Target> targets_;  // by namespace
  std::optional<Error> failure_;                     // see failure()
  std::size_t size_ = 0;                             // the puts and removes so far
};

class StoreSeeker final : public projections::Seeker {
 public:
  // `db`, `family` and `snapshot` (null: the latest) must outlive the seeker.
  StoreSeeker(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family, KeyRange range,
              const rocksdb::Snapshot* snapshot)
      : range_(std::move(range)),
        read_(range_, snapshot),
        it_(db.NewIterator(read_.options, family)) {}

  Result<std::optional<std::string>> seek(std::string_view from) override {
    const auto target = slice(std::max(from, std::string_view(range_.from)));
    // Forward to the very next key first: a seek right past the last answer (search walking a
    // list) then costs a step, not a seek through every level of the tree.
    // That step finds the first key at or after the target only when the iterator stood before
    // it; anything else seeks.
    const bool step = it_->Valid() && it_->key().compare(target) < 0;
    if (step) it_->Next();
    if (!step || !it_->Valid() || it_->key().compare(target) < 0) it_->Seek(target);
    if (!it_->status().ok())
      return rocksdb_unavailable("cannot read the read-model store", it_->status());
    if (!it_->Valid() || (!range_.to.empty() && it_->key().compare(slice(range_.to)) >= 0))
      return std::optional<std::string>();
    return std::optional<std::string>(it_->key().ToString());
  }

 private:
  const KeyRange range_;                   // the keys sought in
  BoundedRead read_;                       // bounded to range_
  std::unique_ptr<rocksdb::Iterator> it_;  // one iterator for every seek
};

class StoreSnapshot final : public projections::Snapshot {
 public:
  // Requires the store's lock held, so that `families` are those of the moment taken. Without
  // `pin` it takes no RocksDB snapshot: for a secondary instance, whose state changes only when
  // it catches up with its primary (rocksdb_secondary.hpp), which the store never does again.
  StoreSnapshot(rocksdb::DB& db, Families families, bool pin)
      : db_(db), snapshot_(pin ? db.GetSnapshot() : nullptr), families_(std::move(families)) {}
  ~StoreSnapshot() override {
    if (snapshot_ != nullptr) db_.ReleaseSnapshot(snapshot_);
  }
  StoreSnapshot(const StoreSnapshot&) = delete;
  StoreSnapshot& operator=(const StoreSnapshot&) = delete;

  Result<std::optional<std::string>> get(const Namespace& ns, std::string_view key) const override {
    const auto family = find(ns);
    if (!family) return no_namespace(ns.str());
    rocksdb::ReadOptions options;
    options.snapshot = snapshot_;
    std::string value;
    const auto s = db_.Get(options, family, slice(key), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return rocksdb_unavailable("cannot read the read-model store", s);
    return std::optional<std::string>(std::move(value));
  }

  Result<void> scan(const Namespace& ns, const KeyRange& range, const Visit& visit) const override {
    return scan(ns, range, visit, Direction::forward);
  }

  Result<void> scan_backward(const Namespace& ns, const KeyRange& range,
                             const Visit& visit) const override {
    return scan(ns, range, visit, Direction::backward);
  }

  Result<std::unique_ptr<projections::Seeker>> seeker(const Namespace& ns,
                                                      const KeyRange& range) const override {
    auto* family = find(ns);
    if (!family) return no_namespace(ns.str());
    return std::unique_ptr<projections::Seeker>(
        std::make_unique<StoreSeeker>(db_, family, range, snapshot_));
  }

 private:
  rocksdb::ColumnFamilyHandle* find(const Namespace& ns) const {
    const auto it = families_.find(ns.str());
    return it == families_.end() ? nullptr : it->second.get();
  }

  Result<void> scan(const Namespace& ns, const KeyRange& range, const Visit& visit,
                    Direction direction) const {
    auto* family = find(ns);
    if (!family) return no_namespace(ns.str());
    if (is_empty(range)) return success();
    BoundedRead read(range, snapshot_);
    std::unique_ptr<rocksdb::Iterator> it(db_.NewIterator(read.options, family));
    return walk(*it, range, visit, direction);
  }

  rocksdb::DB& db_;                    // the store's database; outlives the snapshot
  const rocksdb::Snapshot* snapshot_;  // the moment seen, or null (see the constructor)
  const Families families_;            // the column families that existed at that moment
};

// Takes the column families of a newly opened `db` into `impl`.
void adopt(Impl& impl, rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>& handles) {
  impl.db.reset(db);
  for (auto* handle : handles) {
    auto family = own(db, handle);
    if (handle->GetName() == rocksdb::kDefaultColumnFamilyName) {
      impl.default_family = std::move(family);
    } else {
      impl.families.emplace(handle->GetName(), std::move(family));
    }
  }
}

Error read_only() {
  return make_error(errc::unavailable, "", "the read-model store is open read-only");
}

}  // namespace

Result<std::unique_ptr<RocksDbReadModelStore>> RocksDbReadModelStore::open(
    const std::filesystem::path& directory) {
  if (auto made = make_store_directory(directory); !made) return made.error();
  const auto names = family_names(directory);
  if (!names) return names.error();
  auto impl = std::make_unique<Impl>();
  impl->family_options = family_options();
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : *names) descriptors.emplace_back(name, impl->family_options);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  const auto s = rocksdb::DB::Open(db_options(), directory.string(), descriptors, &handles, &db);
  if (!s.ok())
    return rocksdb_unavailable("cannot open the read-model store at " + directory.string(), s);
  adopt(*impl, db, handles);
  return std::unique_ptr<RocksDbReadModelStore>(new RocksDbReadModelStore(std::move(impl)));
}

Result<std::unique_ptr<RocksDbReadModelStore>> RocksDbReadModelStore::open_secondary(
    const std::filesystem::path& directory, const std::filesystem::path& secondary_dir) {
  auto impl = std::make_unique<Impl>();
  impl->family_options = family_options();
  impl->secondary = true;
  const auto list = [&]() -> Result<std::vector<rocksdb::ColumnFamilyDescriptor>> {
    const auto names = family_names(directory);
    if (!names) return names.error();
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const auto& name : *names) descriptors.emplace_back(name, impl->family_options);
    return descriptors;
  };
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  std::unique_ptr<rocksdb::DB> db;
  auto opened = open_rocksdb_secondary(db_options(), directory, secondary_dir, list, &handles, &db);
  if (!opened) return opened.error();
  adopt(*impl, db.release(), handles);
  return std::unique_ptr<RocksDbReadModelStore>(new RocksDbReadModelStore(std::move(impl)));
}

RocksDbReadModelStore::RocksDbReadModelStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RocksDbReadModelStore::~RocksDbReadModelStore() = default;

Result<void> RocksDbReadModelStore::create(const Namespace& ns) {
  auto name = ns.str();
  if (projections::parse_namespace(name) != ns) {
    return make_error(errc::invalid, "", "not a valid namespace: " + name);
  }
  std::unique_lock lock(impl_->mu);
  if (impl_->families.contains(name)) return success();
  if (impl_->secondary) return read_only();
  rocksdb::ColumnFamilyHandle* handle = nullptr;
  const auto s = impl_->db->CreateColumnFamily(impl_->family_options, name, &handle);
  if (!s.ok()) return rocksdb_unavailable("cannot create namespace " + name, s);
  impl_->families.emplace(std::move(name), own(impl_->db.get(), handle));
  return success();
}

Result<void> RocksDbReadModelStore::drop(const Namespace& ns) {
  const auto name = ns.str();
  if (impl_->secondary) return read_only();
  std::unique_lock lock(impl_->mu);
  const auto it = impl_->families.find(name);
  if (it == impl_->families.end()) return no_namespace(name);
  const auto s = impl_->db->DropColumnFamily(it->second.get());
  if (!s.ok()) return rocksdb_unavailable("cannot drop namespace " + name, s);
  impl_->families.erase(it);
  return success();
}

std::vector<Namespace> RocksDbReadModelStore::namespaces() const {
  std::shared_lock lock(impl_->mu);
  std::vector<Namespace> result;
  for (const auto& [name, family] : impl_->families) {
    if (auto ns = projections::parse_namespace(name)) result.push_back(std::move(*ns));
  }
  return result;
}

std::unique_ptr<projections::WriteBatch> RocksDbReadModelStore::batch() {
  return std::make_unique<Batch>(*impl_);
}

Result<void> RocksDbReadModelStore::commit(projections::WriteBatch& batch) {
  auto* own = dynamic_cast<Batch*>(&batch);
  if (own == nullptr || &own->store() != impl_.get()) {
    return make_error(errc::invalid, "", "the batch does not come from this read-model store");
  }
  if (own->failure()) return *own->failure();
  if (impl_->secondary) return read_only();
  std::shared_lock lock(impl_->mu);  // no namespace is dropped while the batch is written
  for (const auto& [name, family] : own->touched()) {
    const auto it = impl_->families.find(name);
    if (it == impl_->families.end() || it->second != family) {
      return make_error(errc::not_found, "",
                        "namespace " + name + " was dropped after the batch touched it");
    }
  }
  rocksdb::WriteOptions options;
  options.sync = false;  // the event log is the source of truth (see the port)
  options.disableWAL = false;
  auto writes = own->writes();
  if (!writes) return writes.error();
  const auto s = impl_->db->Write(options, &*writes);
  if (!s.ok()) return rocksdb_unavailable("cannot write the read-model store", s);
  return success();
}

std::shared_ptr<const projections::Snapshot> RocksDbReadModelStore::snapshot() {
  std::shared_lock lock(impl_->mu);
  return std::make_shared<const StoreSnapshot>(*impl_->db, impl_->families, !impl_->secondary);
}

Result<void> RocksDbReadModelStore::compact() {
  if (impl_->secondary) return read_only();
  std::shared_lock lock(impl_->mu);
  if (auto r = impl_->rewrite_all(); !r) return r;
  return impl_->drop_obsolete_files();
}

Result<void> RocksDbReadModelStore::settle(const Namespace& ns) {
  if (impl_->secondary) return read_only();
  const auto family = impl_->find(ns.str());
  if (!family) return no_namespace(ns.str());
  rocksdb::CompactRangeOptions options;  // flushes first; the bottommost level stays as it is
  const auto s = impl_->db->CompactRange(options, family.get(), nullptr, nullptr);
  if (!s.ok()) return rocksdb_unavailable("cannot compact namespace " + ns.str(), s);
  return success();
}

}  // namespace clientele::infra
