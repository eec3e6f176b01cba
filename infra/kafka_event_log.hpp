#pragma once
// The Kafka event log: the EventLog port on a Kafka topic through librdkafka (DESIGN.md §2, §4).
//
// Appends: an idempotent producer (acks=all), the record key is the customer id, the value the
// envelope, the headers its type, version and event id. append() returns once every event of
// the command has its delivery report. The events of one command are enqueued together under
// a lock of their partition, so they are contiguous and in order; a command of several events
// also carries a "part" header on each — "<index>/<count>/<id of its first event>", e.g.
// "2/3/0190f1c2-..." — and cursors hold a command back until its last part is read, and skip a
// command whose parts stop short or start late (its append failed half way), so a reader sees a
// command whole or not at all. A reader starting in the middle of a command (a cursor's offset, a
// group member's checkpoint) first checks that the command's earlier parts are in the log. That
// needs one writer process per partition, as DESIGN.md §4 has it.
//
// Reads: each cursor is a consumer of its own, on one partition from the offset the caller
// supplies (read models keep their own checkpoints); nothing is committed to Kafka. Readers that
// scale out over processes share the partitions through a consumer group (KafkaGroupReader).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "events/event_log.hpp"

namespace clientele::infra {

struct KafkaLogOptions {
  std::string bootstrap_servers;           // "host:port[,host:port...]"
  std::string topic = "clientele.events";  // the one topic of the log
  std::int32_t partitions = 12;  // the topic's partition count; a topic it creates gets it
  int replication_factor = -1;   // of a topic it creates; -1 = the brokers' default
  // How long an append may take: waiting for its partition (other appends to it), for room in
  // the producer's queue and for its delivery reports (message.timeout.ms); after it the append
  // fails with errc::unavailable, its outcome unknown if the events were in flight.
  std::chrono::milliseconds append_timeout{30'000};
  // How many events may wait in memory for the brokers (queue.buffering.max.messages).
  std::size_t max_queued_events = 1'000'000;
  // How long opening waits for the cluster's metadata (and the topic's creation).
  std::chrono::milliseconds connect_timeout{10'000};
};

class KafkaEventLog final : public events::EventLog {
 public:
  // Connects, and creates the topic through the Admin API when it is missing.
  // errc::invalid when the topic has another partition count than `partitions` (or it is not
  // 1..1024); errc::unavailable when the cluster cannot be reached or the topic not created.
  static Result<std::unique_ptr<KafkaEventLog>> open(const KafkaLogOptions& options);

  // Waits for the appends in flight, then disconnects. Cursors must be destroyed before, and no
  // append may be running.
  ~KafkaEventLog() override;
  KafkaEventLog(const KafkaEventLog&) = delete;
  KafkaEventLog& operator=(const KafkaEventLog&) = delete;

  events::Partition partition_for(std::string_view key) const override;
  // errc::unavailable when a delivery report is an error: "not written" when no event of the
  // command can have been persisted, "outcome unknown" when one may have been (in flight when
  // it timed out, or purged after a fatal producer error). Never reports success for either.
  // Also errc::unavailable, nothing written, when its partition stays busy with other appends
  // for append_timeout.
  Result<std::vector<events::Position>> append(
      std::string_view key, std::span<const events::EncodedEvent> events) override;
  std::int32_t partition_count() const override;
  // The partition's high watermark.
  Result<events::Offset> end_offset(events::Partition partition) override;
  Result<std::unique_ptr<events::PartitionCursor>> open_cursor(events::Partition partition,
                                                               events::Offset from) override;

  struct Stats {
    std::uint64_t appends = 0;            // acknowledged append() calls
    std::uint64_t events = 0;             // events in them
    std::uint64_t failed_appends = 0;     // append() calls that returned an error
    std::uint64_t producer_restarts = 0;  // producers replaced after a fatal error
  };
  Stats stats() const;

  struct Impl;

 private:
  explicit KafkaEventLog(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;  // the producer, its poller thread and the shared state
};

struct KafkaGroupOptions {
  std::string group;  // the consumer group's id
  // The offset to start an assigned partition at: the reader's own checkpoint of it.
  std::function<events::Offset(events::Partition)> checkpoint;
  // How long the group waits for a silent member before giving its partitions to the others.
  std::chrono::milliseconds session_timeout{10'000};
};

// A member of a consumer group reading the whole topic, for readers that scale out over
// processes (projector workers). The group assigns the partitions; each starts at the offset
// options.checkpoint gives, as read models keep their own checkpoints, and nothing is committed
// to Kafka. Records come a whole command at a time, as from a cursor, and a checkpoint in the
// middle of a command is checked as a cursor's start is. When the group takes a
// partition away, the records of it not yet returned are dropped: its next owner starts from
// its checkpoint. Not thread-safe: one thread calls next() (the group is served in it).
class KafkaGroupReader {
 public:
  // Joins the group. errc::invalid for an empty group id or no checkpoint function;
  // errc::unavailable when the client cannot be made.
  static Result<std::unique_ptr<KafkaGroupReader>> open(const KafkaLogOptions& log,
                                                        const KafkaGroupOptions& options);
  // Leaves the group.
  ~KafkaGroupReader();
  KafkaGroupReader(const KafkaGroupReader&) = delete;
  KafkaGroupReader& operator=(const KafkaGroupReader&) = delete;

  // The next records of the assigned partitions (at most `max`, in offset order within each
  // partition), waiting up to `wait` for one. errc::invalid when a checkpoint is outside its
  // partition.
  Result<std::vector<events::Record>> next(std::size_t max, std::chrono::milliseconds wait);

  // The partitions assigned to this member now, in order.
  std::vector<events::Partition> assignment() const;

  struct Impl;

 private:
  explicit KafkaGroupReader(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;  // the consumer and the records read ahead
};

}  // namespace clientele::infra
