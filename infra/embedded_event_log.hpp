#pragma once
// The embedded event log: the EventLog port on a local RocksDB database (DESIGN.md §2, §4).
// One column family holds every partition; the key is (partition, offset) big-endian, so a
// partition reads back in offset order. An append is acknowledged only after its WriteBatch is
// in the synced WAL. Concurrent appenders share syncs (group commit): a writer thread writes
// every waiting append in one batch while a syncer thread syncs the batches written before,
// then wakes their appenders.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>

#include "events/event_log.hpp"

namespace clientele::infra {

struct EmbeddedLogOptions {
  std::filesystem::path directory;  // the database directory; created if missing
  std::int32_t partitions = 12;     // must equal the count the log was created with
  // How long a sync may wait for the appenders its predecessor acknowledged to append again,
  // so that they share it (like PostgreSQL's commit_delay). Bounds the added latency.
  std::chrono::microseconds commit_delay{200};
};

class EmbeddedEventLog final : public events::EventLog {
 public:
  // Opens (or creates) the log. errc::invalid when `partitions` differs from the existing log's
  // or is not 1..1024; errc::unavailable when the database cannot be opened (e.g. another
  // process holds it).
  static Result<std::unique_ptr<EmbeddedEventLog>> open(const EmbeddedLogOptions& options);
  // Opens the log read-only, as a RocksDB secondary instance (rocksdb_secondary.hpp) with its info
  // log in `secondary_dir`, while another process — the service — may hold it open. It catches up
  // with that process once, here: end_offset() and cursors see the log as it was then, and a
  // cursor at the end waits out its `wait` and returns nothing. append() fails with
  // errc::unavailable. errc::not_found when there is no log in the directory; errc::invalid as
  // for open().
  static Result<std::unique_ptr<EmbeddedEventLog>> open_secondary(
      const EmbeddedLogOptions& options, const std::filesystem::path& secondary_dir);

  // Waits for appends in flight, then closes the database.
  ~EmbeddedEventLog() override;
  EmbeddedEventLog(const EmbeddedEventLog&) = delete;
  EmbeddedEventLog& operator=(const EmbeddedEventLog&) = delete;

  events::Partition partition_for(std::string_view key) const override;
  Result<std::vector<events::Position>> append(
      std::string_view key, std::span<const events::EncodedEvent> events) override;
  std::int32_t partition_count() const override;
  Result<events::Offset> end_offset(events::Partition partition) override;
  Result<std::unique_ptr<events::PartitionCursor>> open_cursor(events::Partition partition,
                                                               events::Offset from) override;

  struct Stats {
    std::uint64_t appends = 0;  // acknowledged append() calls
    std::uint64_t events = 0;   // events in them
    std::uint64_t syncs = 0;    // synced WAL writes (one per group commit)
  };
  Stats stats() const;

  struct Impl;

 private:
  explicit EmbeddedEventLog(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;  // the database, the committer thread and the shared state
};

}  // namespace clientele::infra
