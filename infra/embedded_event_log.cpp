#include "infra/embedded_event_log.hpp"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <array>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <semaphore>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "infra/partitioner.hpp"
#include "infra/rocksdb_secondary.hpp"
#include "infra/rocksdb_support.hpp"

namespace clientele::infra {
namespace {

using events::EncodedEvent;
using events::Offset;
using events::Partition;
using events::Position;
using events::Record;

constexpr const char* kEventsFamily = "events";
constexpr const char* kPartitionsKey = "meta/partitions";
constexpr std::int32_t kMaxPartitions = 1024;

void put_be(std::string& out, std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

std::uint64_t get_be(std::string_view in, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | static_cast<unsigned char>(in[i]);
  return value;
}

// Row key: 4-byte partition, 8-byte offset, both big-endian.
std::string row_key(std::int32_t partition, std::int64_t offset) {
  std::string key;
  key.reserve(12);
  put_be(key, static_cast<std::uint32_t>(partition), 4);
  put_be(key, static_cast<std::uint64_t>(offset), 8);
  return key;
}

// Row value: 4-byte big-endian key length, the key, the payload.
std::string row_value(std::string_view key, std::string_view payload) {
  std::string value;
  value.reserve(4 + key.size() + payload.size());
  put_be(value, key.size(), 4);
  value.append(key);
  value.append(payload);
  return value;
}

// One append() waiting for the writer and the syncer.
struct Pending {
  std::int32_t partition = 0;
  std::string_view key;
  std::span<const EncodedEvent> events;
  // Released once `result` is final, by the writer (on failure) or the syncer. After that the
  // releasing thread must not touch the Pending: its appender returns and destroys it.
  std::binary_semaphore done{0};
  Result<std::vector<Position>> result = make_error(errc::unavailable, "", "not committed");
};

}  // namespace

// Appends go through two stages, each a thread, so that writing a batch overlaps syncing the
// previous ones:
//   writer: takes every queued append, gives them offsets, writes them in one WriteBatch to the
//           WAL without syncing;
//   syncer: takes every written batch, syncs the WAL once, then publishes their offsets to
//           readers and acknowledges them.
// An append is acknowledged only after a sync that began after it was written; readers see
// only acknowledged offsets. Offsets are given in WAL order, so whatever survives a crash is
// a prefix of each partition: dense, with no torn command. When a sync fails, its appends are
// answered errc::unavailable: their outcome is unknown, and a later sync may still publish them.
struct EmbeddedEventLog::Impl {
  std::int32_t partitions = 0;                         // fixed for the life of the log
  bool secondary = false;                              // opened read-only: appends fail
  std::chrono::microseconds commit_delay{0};           // longest wait for a sync's cohort
  std::unique_ptr<rocksdb::DB> db;                     // the database
  std::vector<rocksdb::ColumnFamilyHandle*> families;  // [default, events]; owned
  std::vector<std::int64_t> next_offset;               // writer's: next offset per partition

  mutable std::mutex mu;                  // guards everything below
  std::condition_variable write_cv;       // the writer waits here for appends
  std::condition_variable sync_cv;        // the syncer waits here for written batches
  std::condition_variable appended_cv;    // cursors wait here for new events
  std::vector<Pending*> queue;            // appends not yet written
  std::vector<Pending*> written;          // appends written, not yet synced
  std::vector<std::int64_t> written_end;  // next offset per partition after `written`
  std::vector<std::int64_t> end_offset;   // published (synced) end offset per partition
  Stats stats;                            // counters
  bool stopping = false;                  // set by the destructor
  bool writer_exited = false;             // the writer has drained the queue and ended
  std::thread writer;                     // runs write_loop()
  std::thread syncer;                     // runs sync_loop()

  rocksdb::ColumnFamilyHandle* events_family() const { return families[1]; }

  ~Impl() {
    {
      std::lock_guard lock(mu);
      stopping = true;
    }
    write_cv.notify_all();
    appended_cv.notify_all();
    if (writer.joinable()) writer.join();
    if (syncer.joinable()) syncer.join();
    if (!db) return;
    for (auto* family : families) db->DestroyColumnFamilyHandle(family);
    db->Close();
  }

  void start() {
    writer = std::thread([this] { write_loop(); });
    syncer = std::thread([this] { sync_loop(); });
  }

  void write_loop() {
    std::vector<Pending*> batch;
    std::unique_lock lock(mu);
    for (;;) {
      write_cv.wait(lock, [&] { return stopping || !queue.empty(); });
      if (queue.empty()) break;
      batch.swap(queue);
      lock.unlock();
      const bool ok = write(batch);
      lock.lock();
      if (ok) {
        written.insert(written.end(), batch.begin(), batch.end());
        written_end = next_offset;
        sync_cv.notify_one();
        batch.clear();
      } else {
        lock.unlock();
        release(batch);
        lock.lock();
      }
    }
    writer_exited = true;
    sync_cv.notify_one();
  }

  void sync_loop() {
    std::vector<Pending*> batch;
    std::size_t last_cohort = 0;  // appends acknowledged by the previous sync
    std::unique_lock lock(mu);
    for (;;) {
      sync_cv.wait(lock, [&] { return writer_exited || !written.empty(); });
      if (written.empty()) return;
      // Commit delay: the appenders just acknowledged are likely to append again at once; give
      // them a moment to join this sync rather than leave them to the next one.
      sync_cv.wait_for(lock, commit_delay,
                       [&] { return writer_exited || written.size() >= last_cohort; });
      last_cohort = written.size();
      batch.swap(written);
      const auto synced_end = written_end;
      lock.unlock();
      const auto status = db->SyncWAL();
      lock.lock();
      if (status.ok()) {
        ++stats.syncs;
        for (const auto* p : batch) {
          ++stats.appends;
          stats.events += p->events.size();
        }
        end_offset = synced_end;
      } else {
        const auto error = rocksdb_unavailable("event log sync failed", status);
        for (auto* p : batch) p->result = error;
      }
      appended_cv.notify_all();
      lock.unlock();
      release(batch);
      lock.lock();
    }
  }

  // Wakes the appenders of `batch`, each alone (no thundering herd), and empties it.
  static void release(std::vector<Pending*>& batch) {
    for (auto* p : batch) p->done.release();
    batch.clear();
  }

  // Writes `batch` (unsynced) in one WriteBatch and fills in each result's positions. Returns
  // whether it was written; on failure, offsets are not consumed and each result is the error.
  bool write(const std::vector<Pending*>& batch) {
    rocksdb::WriteBatch wb;
    std::vector<std::int64_t> next = next_offset;
    for (auto* p : batch) {
      std::vector<Position> positions;
      positions.reserve(p->events.size());
      for (const auto& event : p->events) {
        const std::int64_t offset = next[p->partition]++;
        wb.Put(events_family(), row_key(p->partition, offset), row_value(p->key, event.payload));
        positions.push_back(Position{Partition{p->partition}, Offset{offset}});
      }
      p->result = std::move(positions);
    }
    const auto status = db->Write(rocksdb::WriteOptions(), &wb);
    if (!status.ok()) {
      const auto error = rocksdb_unavailable("event log write failed", status);
      for (auto* p : batch) p->result = error;
      return false;
    }
    next_offset = std::move(next);
    return true;
  }

  // The offset after the last row of `partition` in the database.
  Result<std::int64_t> recover_end(std::int32_t partition) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}, events_family()));
    it->SeekForPrev(row_key(partition, INT64_MAX));
    if (!it->status().ok()) return rocksdb_unavailable("cannot read the event log", it->status());
    if (!it->Valid()) return std::int64_t{0};
    const auto key = it->key().ToStringView();
    if (key.size() != 12 || static_cast<std::int32_t>(get_be(key, 4)) != partition)
      return std::int64_t{0};
    return static_cast<std::int64_t>(get_be(key.substr(4), 8)) + 1;
  }

  Result<void> check_partition_count(std::int32_t requested) {
    std::string stored;
    const auto s = db->Get({}, families[0], kPartitionsKey, &stored);
    if (s.IsNotFound() && secondary) {
      return make_error(errc::unavailable, "", "the event log is not initialized yet");
    }
    if (s.IsNotFound()) {
      rocksdb::WriteOptions options;
      options.sync = true;
      const auto put = db->Put(options, families[0], kPartitionsKey, std::to_string(requested));
      if (!put.ok()) return rocksdb_unavailable("cannot initialize the event log", put);
      return success();
    }
    if (!s.ok()) return rocksdb_unavailable("cannot read the event log", s);
    if (stored != std::to_string(requested)) {
      return make_error(errc::invalid, "partitions",
                        "the event log has " + stored + " partitions, not " +
                            std::to_string(requested) + "; a log's partition count cannot change");
    }
    return success();
  }

  // Checks the partition count of the log just opened and finds where each partition ends.
  Result<void> recover(std::int32_t requested) {
    partitions = requested;
    if (auto r = check_partition_count(requested); !r) return r;
    for (std::int32_t p = 0; p < requested; ++p) {
      auto end = recover_end(p);
      if (!end) return end.error();
      next_offset.push_back(*end);
    }
    end_offset = next_offset;
    written_end = next_offset;
    return success();
  }
};

namespace {

// The column families of the log, with `options`.
std::vector<rocksdb::ColumnFamilyDescriptor> family_descriptors(const rocksdb::Options& options) {
  return {{rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions(options)},
          {kEventsFamily, rocksdb::ColumnFamilyOptions(options)}};
}

Error bad_partition_count() {
  return make_error(errc::invalid, "partitions", "must be between 1 and 1024");
}

class EmbeddedCursor final : public events::PartitionCursor {
 public:
  EmbeddedCursor(EmbeddedEventLog::Impl& log, std::int32_t partition, std::int64_t next)
      : log_(log), partition_(partition), next_(next) {}

  Result<std::vector<Record>> next(std::size_t max, std::chrono::milliseconds wait) override {
    std::int64_t end = 0;
    {
      std::unique_lock lock(log_.mu);
      log_.appended_cv.wait_for(
          lock, wait, [&] { return log_.stopping || log_.end_offset[partition_] > next_; });
      end = log_.end_offset[partition_];
    }
    std::vector<Record> records;
    if (end <= next_ || max == 0) return records;
    const std::int64_t last = std::min<std::int64_t>(end, next_ + static_cast<std::int64_t>(max));
    const std::string upper = row_key(partition_, last);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions options;
    options.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(log_.db->NewIterator(options, log_.events_family()));
    for (it->Seek(row_key(partition_, next_)); it->Valid(); it->Next()) {
      const auto key = it->key().ToStringView();
      const auto offset = static_cast<std::int64_t>(get_be(key.substr(4), 8));
      const auto value = it->value().ToStringView();
      const auto key_size = value.size() >= 4 ? get_be(value, 4) : UINT64_MAX;
      if (offset != next_ || key_size > value.size() - 4) {
        return make_error(errc::corrupt, "",
                          "event log partition " + std::to_string(partition_) +
                              " is damaged at offset " + std::to_string(next_));
      }
      records.push_back(Record{Position{Partition{partition_}, Offset{offset}},
                               std::string(value.substr(4, key_size)),
                               std::string(value.substr(4 + key_size))});
      ++next_;
    }
    if (!it->status().ok()) return rocksdb_unavailable("cannot read the event log", it->status());
    return records;
  }

  Offset position() const override { return Offset{next_}; }

 private:
  EmbeddedEventLog::Impl& log_;  // outlives the cursor (the port's contract)
  std::int32_t partition_;       // the partition read
  std::int64_t next_;            // offset of the next record to return
};

}  // namespace

Result<std::unique_ptr<EmbeddedEventLog>> EmbeddedEventLog::open(const EmbeddedLogOptions& opts) {
  if (opts.partitions < 1 || opts.partitions > kMaxPartitions) return bad_partition_count();
  std::error_code ec;
  std::filesystem::create_directories(opts.directory, ec);
  if (ec) {
    return make_error(errc::unavailable, "",
                      "cannot create " + opts.directory.string() + ": " + ec.message());
  }
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  options.keep_log_file_num = 5;
  options.IncreaseParallelism(2);

  auto impl = std::make_unique<Impl>();
  rocksdb::DB* db = nullptr;
  const auto s = rocksdb::DB::Open(options, opts.directory.string(), family_descriptors(options),
                                   &impl->families, &db);
  if (!s.ok())
    return rocksdb_unavailable("cannot open the event log at " + opts.directory.string(), s);
  impl->db.reset(db);
  impl->commit_delay = opts.commit_delay;
  if (auto r = impl->recover(opts.partitions); !r) return r.error();
  impl->start();
  return std::unique_ptr<EmbeddedEventLog>(new EmbeddedEventLog(std::move(impl)));
}

Result<std::unique_ptr<EmbeddedEventLog>> EmbeddedEventLog::open_secondary(
    const EmbeddedLogOptions& opts, const std::filesystem::path& secondary_dir) {
  if (opts.partitions < 1 || opts.partitions > kMaxPartitions) return bad_partition_count();
  auto impl = std::make_unique<Impl>();
  impl->secondary = true;
  const rocksdb::Options options;
  const auto list = [&]() -> Result<std::vector<rocksdb::ColumnFamilyDescriptor>> {
    return family_descriptors(options);
  };
  auto opened = open_rocksdb_secondary(options, opts.directory, secondary_dir, list,
                                       &impl->families, &impl->db);
  if (!opened) return opened.error();
  if (auto r = impl->recover(opts.partitions); !r) return r.error();
  return std::unique_ptr<EmbeddedEventLog>(new EmbeddedEventLog(std::move(impl)));
}

EmbeddedEventLog::EmbeddedEventLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EmbeddedEventLog::~EmbeddedEventLog() = default;

Partition EmbeddedEventLog::partition_for(std::string_view key) const {
  return Partition{murmur2_partition(key, impl_->partitions)};
}

Result<std::vector<Position>> EmbeddedEventLog::append(std::string_view key,
                                                       std::span<const EncodedEvent> events) {
  if (events.empty()) return make_error(errc::invalid, "", "nothing to append");
  if (impl_->secondary) return make_error(errc::unavailable, "", "the event log is open read-only");
  Pending pending;
  pending.partition = partition_for(key).value;
  pending.key = key;
  pending.events = events;
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stopping) return make_error(errc::unavailable, "", "the event log is closing");
    impl_->queue.push_back(&pending);
  }
  impl_->write_cv.notify_one();
  pending.done.acquire();
  return std::move(pending.result);
}

std::int32_t EmbeddedEventLog::partition_count() const {
  return impl_->partitions;
}

Result<Offset> EmbeddedEventLog::end_offset(Partition partition) {
  if (partition.value < 0 || partition.value >= impl_->partitions)
    return make_error(errc::invalid, "partition", "no such partition");
  std::lock_guard lock(impl_->mu);
  return Offset{impl_->end_offset[partition.value]};
}

Result<std::unique_ptr<events::PartitionCursor>> EmbeddedEventLog::open_cursor(Partition partition,
                                                                               Offset from) {
  if (partition.value < 0 || partition.value >= impl_->partitions)
    return make_error(errc::invalid, "partition", "no such partition");
  if (from.value < 0) return make_error(errc::invalid, "offset", "must not be negative");
  return std::unique_ptr<events::PartitionCursor>(
      std::make_unique<EmbeddedCursor>(*impl_, partition.value, from.value));
}

EmbeddedEventLog::Stats EmbeddedEventLog::stats() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stats;
}

}  // namespace clientele::infra
