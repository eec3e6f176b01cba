#include "infra/rocksdb_read_model_store.hpp"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/transaction_log.h>
#include <rocksdb/utilities/write_batch_with_index.h>

#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

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

Error unavailable(const std::string& what, const rocksdb::Status& s) {
  return make_error(errc::unavailable, "", what + ": " + s.ToString());
}

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
  table.block_cache = rocksdb::NewLRUCache(64 << 20);            // shared by every column family
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
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
  return unavailable("cannot list the namespaces of the read-model store at " + directory.string(),
                     s);
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
  if (!it.status().ok()) return unavailable("cannot read the read-model store", it.status());
  return success();
}

}  // namespace

struct RocksDbReadModelStore::Impl {
  rocksdb::ColumnFamilyOptions family_options;  // every column family's; one shared block cache
  std::unique_ptr<rocksdb::DB> db;              // the store
  Family default_family;         // holds no namespace; compact() writes kCompactionRow there
  mutable std::shared_mutex mu;  // held exclusively to create or drop a namespace
  Families families;             // every column family but "default"; guarded by mu

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
      if (!s.ok()) return unavailable("cannot flush the read-model store", s);
    }
    rocksdb::CompactRangeOptions compaction;
    compaction.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    for (auto* family : all) {
      const auto s = db->CompactRange(compaction, family, nullptr, nullptr);
      if (!s.ok()) return unavailable("cannot compact the read-model store", s);
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
    if (!s.ok()) return unavailable("cannot flush the read-model store", s);
    // GetSortedWalFiles waits for the deletions under way, then deletes, in this thread, every
    // file no longer live.
    rocksdb::VectorLogPtr wal_files;
    s = db->GetSortedWalFiles(wal_files);
    if (!s.ok()) return unavailable("cannot delete the obsolete files of the read-model store", s);
    return success();
  }
};

namespace {

using Impl = RocksDbReadModelStore::Impl;

class Batch final : public projections::WriteBatch {
 public:
  explicit Batch(const Impl& store)
      : store_(store), writes_(rocksdb::BytewiseComparator(), 0, /*overwrite_key=*/true) {}

  Result<std::optional<std::string>> get(const Namespace& ns, std::string_view key) override {
    const auto family = touch(ns);
    if (!family) return no_namespace(ns.str());
    std::string value;
    const auto s = writes_.GetFromBatchAndDB(store_.db.get(), rocksdb::ReadOptions(), family.get(),
                                             slice(key), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return unavailable("cannot read the read-model store", s);
    return std::optional<std::string>(std::move(value));
  }

  void put(const Namespace& ns, std::string_view key, std::string_view value) override {
    ++size_;
    if (const auto family = touch(ns)) record(writes_.Put(family.get(), slice(key), slice(value)));
  }

  void remove(const Namespace& ns, std::string_view key) override {
    ++size_;
    if (const auto family = touch(ns)) record(writes_.Delete(family.get(), slice(key)));
  }

  Result<void> scan(const Namespace& ns, const KeyRange& range, const Visit& visit) override {
    const auto family = touch(ns);
    if (!family) return no_namespace(ns.str());
    if (is_empty(range)) return success();
    BoundedRead read(range, nullptr);
    std::unique_ptr<rocksdb::Iterator> it(writes_.NewIteratorWithBase(
        family.get(), store_.db->NewIterator(read.options, family.get()), &read.options));
    return walk(*it, range, visit, Direction::forward);
  }

  std::size_t size() const override { return size_; }

  const Impl& store() const { return store_; }
  // Why the batch cannot be committed, if it cannot.
  const std::optional<Error>& failure() const { return failure_; }
  // Every namespace the batch touched, with its column family then (null if there was none).
  const Families& touched() const { return touched_; }
  rocksdb::WriteBatch* writes() { return writes_.GetWriteBatch(); }

 private:
  // The column family of `ns` when the batch first touched it; null, and the batch's failure,
  // when the namespace did not exist then.
  Family touch(const Namespace& ns) {
    auto name = ns.str();
    if (const auto it = touched_.find(name); it != touched_.end()) return it->second;
    auto family = store_.find(name);
    if (!family && !failure_) failure_ = no_namespace(name);
    touched_.emplace(std::move(name), family);
    return family;
  }

  void record(const rocksdb::Status& s) {
    if (!s.ok() && !failure_) failure_ = unavailable("cannot add to a batch", s);
  }

  const Impl& store_;                    // the store the batch belongs to; outlives it
  rocksdb::WriteBatchWithIndex writes_;  // the pending writes, indexed for reading them back
  Families touched_;                     // see touched()
  std::optional<Error> failure_;         // see failure()
  std::size_t size_ = 0;                 // the puts and removes so far
};

class StoreSnapshot final : public projections::Snapshot {
 public:
  // Requires the store's lock held, so that `families` are those of the moment taken.
  StoreSnapshot(rocksdb::DB& db, Families families)
      : db_(db), snapshot_(db.GetSnapshot()), families_(std::move(families)) {}
  ~StoreSnapshot() override { db_.ReleaseSnapshot(snapshot_); }
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
    if (!s.ok()) return unavailable("cannot read the read-model store", s);
    return std::optional<std::string>(std::move(value));
  }

  Result<void> scan(const Namespace& ns, const KeyRange& range, const Visit& visit) const override {
    return scan(ns, range, visit, Direction::forward);
  }

  Result<void> scan_backward(const Namespace& ns, const KeyRange& range,
                             const Visit& visit) const override {
    return scan(ns, range, visit, Direction::backward);
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
  const rocksdb::Snapshot* snapshot_;  // the moment seen; released with the snapshot
  const Families families_;            // the column families that existed at that moment
};

}  // namespace

Result<std::unique_ptr<RocksDbReadModelStore>> RocksDbReadModelStore::open(
    const std::filesystem::path& directory) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) {
    return make_error(errc::unavailable, "",
                      "cannot create " + directory.string() + ": " + ec.message());
  }
  const auto names = family_names(directory);
  if (!names) return names.error();
  auto impl = std::make_unique<Impl>();
  impl->family_options = family_options();
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : *names) descriptors.emplace_back(name, impl->family_options);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  const auto s = rocksdb::DB::Open(db_options(), directory.string(), descriptors, &handles, &db);
  if (!s.ok()) return unavailable("cannot open the read-model store at " + directory.string(), s);
  impl->db.reset(db);
  for (auto* handle : handles) {
    auto family = own(db, handle);
    if (handle->GetName() == rocksdb::kDefaultColumnFamilyName) {
      impl->default_family = std::move(family);
    } else {
      impl->families.emplace(handle->GetName(), std::move(family));
    }
  }
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
  rocksdb::ColumnFamilyHandle* handle = nullptr;
  const auto s = impl_->db->CreateColumnFamily(impl_->family_options, name, &handle);
  if (!s.ok()) return unavailable("cannot create namespace " + name, s);
  impl_->families.emplace(std::move(name), own(impl_->db.get(), handle));
  return success();
}

Result<void> RocksDbReadModelStore::drop(const Namespace& ns) {
  const auto name = ns.str();
  std::unique_lock lock(impl_->mu);
  const auto it = impl_->families.find(name);
  if (it == impl_->families.end()) return no_namespace(name);
  const auto s = impl_->db->DropColumnFamily(it->second.get());
  if (!s.ok()) return unavailable("cannot drop namespace " + name, s);
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
  const auto s = impl_->db->Write(options, own->writes());
  if (!s.ok()) return unavailable("cannot write the read-model store", s);
  return success();
}

std::shared_ptr<const projections::Snapshot> RocksDbReadModelStore::snapshot() {
  std::shared_lock lock(impl_->mu);
  return std::make_shared<const StoreSnapshot>(*impl_->db, impl_->families);
}

Result<void> RocksDbReadModelStore::compact() {
  std::shared_lock lock(impl_->mu);
  if (auto r = impl_->rewrite_all(); !r) return r;
  return impl_->drop_obsolete_files();
}

}  // namespace clientele::infra
