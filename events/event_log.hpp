#pragma once
// The event log port (DESIGN.md §2, §4): one log of N partitions; the partition of an event is
// chosen by its key, the customer id, exactly as Kafka's Java client chooses it (murmur2), so a
// customer lands in the same partition on every implementation. Offsets are dense and
// increasing per partition, starting at 0.

#include <chrono>
#include <compare>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/result.hpp"

namespace clientele::events {

struct Partition {
  std::int32_t value = 0;
  auto operator<=>(const Partition&) const = default;
};

struct Offset {
  std::int64_t value = 0;
  auto operator<=>(const Offset&) const = default;
};

// Where one event is in the log.
struct Position {
  Partition partition;
  Offset offset;
  auto operator<=>(const Position&) const = default;
};

// "partition:offset", as in the X-Clientele-Position header.
std::string to_string(Position position);
// The position to_string() wrote: two non-negative decimal numbers around a colon; nullopt for
// anything else.
std::optional<Position> parse_position(std::string_view text);

// One event ready for the log: the serialized envelope plus what the log may expose without
// parsing it (Kafka headers). None of these fields may hold personal data.
struct EncodedEvent {
  std::string id;       // the envelope's event id
  std::string type;     // the envelope's wire name
  int version = 1;      // the envelope's schema version
  std::string payload;  // the serialized envelope
};

// One event as read back.
struct Record {
  Position position;
  std::string key;      // the partition key (customer id)
  std::string payload;  // the serialized envelope
};

// Appends events. Implementations are thread-safe.
class EventWriter {
 public:
  virtual ~EventWriter() = default;

  // The partition that `key` maps to (murmur2 of the key, as Kafka's Java client).
  virtual Partition partition_for(std::string_view key) const = 0;

  // Appends `events` (one command's, at least one) to the partition of `key`, atomically: after
  // any crash either all of them are in the log, in order and contiguous, or none is.
  // Returns their positions once they are durable. errc::invalid for an empty batch;
  // errc::unavailable when durability could not be confirmed (the outcome is then unknown).
  virtual Result<std::vector<Position>> append(std::string_view key,
                                               std::span<const EncodedEvent> events) = 0;
};

// Reads one partition forward from an offset. Not thread-safe: one reader per cursor.
class PartitionCursor {
 public:
  virtual ~PartitionCursor() = default;

  // Returns the next records (at most `max`, at least one unless `wait` elapsed without any
  // append), advancing the cursor past them. Waits up to `wait` for an append when none is
  // readable; wakes on append, never busy-polls.
  virtual Result<std::vector<Record>> next(std::size_t max, std::chrono::milliseconds wait) = 0;

  // The offset of the next record this cursor will return.
  virtual Offset position() const = 0;
};

// Reads partitions. Implementations are thread-safe; cursors must not outlive the log.
class EventReader {
 public:
  virtual ~EventReader() = default;

  virtual std::int32_t partition_count() const = 0;

  // The offset the next appended event of `partition` will get (= number of events in it).
  virtual Result<Offset> end_offset(Partition partition) = 0;

  // A cursor at `from` (0 for the beginning). errc::invalid for an unknown partition.
  virtual Result<std::unique_ptr<PartitionCursor>> open_cursor(Partition partition,
                                                               Offset from) = 0;
};

class EventLog : public EventWriter, public EventReader {};

// The end offset (EventReader::end_offset) of every partition of `log`, in partition order; the
// first error when a partition's end cannot be read.
Result<std::vector<Offset>> end_offsets(EventReader& log);

}  // namespace clientele::events
