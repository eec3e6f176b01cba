#include "infra/kafka_event_log.hpp"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include <atomic>
#include <charconv>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <semaphore>
#include <thread>
#include <utility>
#include <vector>

#include "infra/kafka_logging.hpp"
#include "infra/logging.hpp"
#include "infra/partitioner.hpp"

namespace clientele::infra {
namespace {

using events::EncodedEvent;
using events::Offset;
using events::Partition;
using events::Position;
using events::Record;
using Settings = std::vector<std::pair<std::string, std::string>>;

constexpr std::int32_t kMaxPartitions = 1024;
// "<index>/<count>/<id of the command's first event>" on each event of a multi-event command.
constexpr std::string_view kPartHeader = "part";
// How long a cursor may take to fetch records it knows are in the log.
constexpr std::chrono::milliseconds kCatchUpLimit{10'000};
// How long a cursor polls at a time for records it knows are in the log.
constexpr std::chrono::milliseconds kFetchStep{100};

Error unavailable(std::string message) {
  return make_error(errc::unavailable, "", std::move(message));
}

int milliseconds(std::chrono::milliseconds d) {
  return static_cast<int>(d.count());
}

struct ClientDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using Client = std::unique_ptr<rd_kafka_t, ClientDeleter>;
// A producer shared by those using it (the log while it is current, an append while it enqueues,
// the poller while it serves the reports); the last of them destroys it.
using Producer = std::shared_ptr<rd_kafka_t>;

// A client of `type` with `settings`; `prepare` may add callbacks and the opaque first.
// errc::invalid naming a setting librdkafka refuses.
template <class Prepare>
Result<Client> make_client(rd_kafka_type_t type, const Settings& settings, Prepare&& prepare) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char reason[512];
  for (const auto& [name, value] : settings) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), reason, sizeof reason) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return make_error(errc::invalid, "", fmt::format("kafka setting {}: {}", name, reason));
    }
  }
  rd_kafka_conf_set_log_cb(conf, forward_kafka_log);
  prepare(conf);
  rd_kafka_t* rk = rd_kafka_new(type, conf, reason, sizeof reason);  // owns conf on success
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return make_error(errc::invalid, "", fmt::format("kafka client: {}", reason));
  }
  return Client(rk);
}

// The high watermark of `partition`, asked of its leader; retried while the leader moves.
Result<std::int64_t> query_end(rd_kafka_t* client, const char* topic, std::int32_t partition,
                               std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::int64_t low = 0, high = 0;
    const auto err = rd_kafka_query_watermark_offsets(client, topic, partition, &low, &high,
                                                      milliseconds(timeout));
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return high;
    const bool retriable = err == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION ||
                           err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
                           err == RD_KAFKA_RESP_ERR__TRANSPORT;
    if (!retriable || std::chrono::steady_clock::now() >= deadline) {
      return unavailable(
          fmt::format("cannot read the end of partition {}: {}", partition, rd_kafka_err2str(err)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

// One append() waiting for the delivery reports of its events. Shared by the appender and the
// messages still out (see Ticket): an appender that stops waiting may leave it behind.
struct InFlight {
  explicit InFlight(std::size_t count) : positions(count), remaining(count) {}

  // Takes the delivery report of the event `index`. Thread-safe.
  void report(const rd_kafka_message_t& message, std::size_t index) {
    bool last = false;
    {
      std::lock_guard lock(mu);
      if (message.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (error == RD_KAFKA_RESP_ERR_NO_ERROR) error = message.err;
        if (message.err == RD_KAFKA_RESP_ERR__PURGE_QUEUE ||
            message.err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT) {
          some_purged = true;
        } else if (rd_kafka_message_status(&message) == RD_KAFKA_MSG_STATUS_NOT_PERSISTED) {
          some_not_written = true;
        }
      } else {
        positions[index] = Position{Partition{message.partition}, Offset{message.offset}};
      }
      last = --remaining == 0;
    }
    if (last) done.release();
  }

  // Stops waiting for `count` events that were never enqueued. Returns whether none is left.
  bool forget(std::size_t count) {
    std::lock_guard lock(mu);
    remaining -= count;
    return remaining == 0;
  }

  std::mutex mu;                                           // guards the members below
  std::vector<Position> positions;                         // of the events delivered
  std::size_t remaining;                                   // delivery reports still to come
  rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;  // the first failure
  bool some_not_written = false;  // a failed event is certainly not in the log
  // An event was purged (after a fatal error): librdkafka gave up on it without the broker's
  // word, so the append's outcome is unknown whatever else failed.
  bool some_purged = false;
  std::binary_semaphore done{0};  // released when `remaining` reaches 0
};

// The opaque of one event's message, deleted with its delivery report.
struct Ticket {
  std::shared_ptr<InFlight> flight;  // the append it belongs to
  std::size_t index;                 // of the event in the command
};

// The command part a record's "part" header names, if it has one.
struct Part {
  std::size_t index = 0;  // 1-based
  std::size_t count = 0;
  std::string command;  // the id of the command's first event
};

std::optional<Part> part_of(const rd_kafka_message_t& message) {
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(&message, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) return {};
  const void* value = nullptr;
  std::size_t size = 0;
  if (rd_kafka_header_get_last(headers, kPartHeader.data(), &value, &size) !=
      RD_KAFKA_RESP_ERR_NO_ERROR)
    return {};
  const std::string_view text(static_cast<const char*>(value), size);
  const auto slash = text.find('/');
  const auto second = slash == std::string_view::npos ? slash : text.find('/', slash + 1);
  Part part;
  if (second == std::string_view::npos || second + 1 == text.size() ||
      std::from_chars(text.data(), text.data() + slash, part.index).ptr != text.data() + slash ||
      std::from_chars(text.data() + slash + 1, text.data() + second, part.count).ptr !=
          text.data() + second ||
      part.index < 1 || part.index > part.count) {
    return {};
  }
  part.command = std::string(text.substr(second + 1));
  return part;
}

// Reassembles the commands of one partition from its records, in offset order: a record of a
// one-event command passes on at once, the parts of a command are held until its last one, and
// a command whose parts stop short or start late (its append failed half way) is dropped.
class CommandAssembler {
 public:
  // A first record in the middle of a command is skipped as the remainder of a torn command,
  // unless trust_midway_start() is called first.
  explicit CommandAssembler(Partition partition) : partition_(partition) {}

  // The next record may be in the middle of a command whose earlier parts the reader checked.
  void trust_midway_start() { first_ = true; }

  // Takes the next record and its part header, if any; whole commands' records go to `ready`.
  void admit(Record record, std::optional<Part> part, std::deque<Record>& ready) {
    const bool first = first_;
    first_ = false;
    if (!part) {
      drop_torn();
      ready.push_back(std::move(record));
      return;
    }
    const bool continues = (!held_.empty() || passing_) && part->command == command_ &&
                           part->count == count_ && part->index == next_index_;
    if (part->index == 1 || (!continues && first)) {
      // A command starts, or reading began in the middle of one: the reader asked for that
      // offset, so its remaining parts pass straight through.
      drop_torn();
      passing_ = part->index != 1;
      count_ = part->count;
      command_ = part->command;
    } else if (!continues) {
      drop_torn();
      log_warn("kafka reader skips a part of an incomplete command",
               {{"partition", partition_.value}, {"offset", record.position.offset.value}});
      return;
    }
    next_index_ = part->index + 1;
    if (passing_) {
      ready.push_back(std::move(record));
    } else {
      held_.push_back(std::move(record));
    }
    if (part->index == part->count) {
      for (auto& whole : held_) ready.push_back(std::move(whole));
      held_.clear();
      passing_ = false;
    }
  }

  // The offset of the first record held back, if any.
  std::optional<Offset> held_from() const {
    if (held_.empty()) return std::nullopt;
    return held_.front().position.offset;
  }

 private:
  // Drops the parts held of a command that stopped short.
  void drop_torn() {
    if (!held_.empty()) {
      log_warn("kafka reader skips an incomplete command",
               {{"partition", partition_.value},
                {"offset", held_.front().position.offset.value},
                {"parts", held_.size()},
                {"of", count_}});
    }
    held_.clear();
    passing_ = false;
  }

  Partition partition_;         // the partition reassembled
  std::vector<Record> held_;    // the parts read so far of an incomplete command
  std::string command_;         // the id of that command
  std::size_t count_ = 0;       // the number of parts of that command
  std::size_t next_index_ = 0;  // the part expected next
  bool passing_ = false;        // parts of a command entered midway go straight to `ready`
  bool first_ = false;          // the next record may start in the middle of a command
};

// The record of `message`, a message without error of `partition`.
Record record_of(const rd_kafka_message_t& message, Partition partition) {
  return Record{Position{partition, Offset{message.offset}},
                std::string(static_cast<const char*>(message.key), message.key_len),
                std::string(static_cast<const char*>(message.payload), message.len)};
}

// Reassembles the commands of one partition as a consumer reads it from an offset its reader
// chose (a cursor's start, a group member's checkpoint). An offset in the middle of a command is
// where the reader stopped, or the remainder of a command whose first parts were lost: the
// consumer goes back to check that the log has the command's earlier parts; the rest passes if
// it has, and is skipped if not. Cursors and group readers alike read through one of these.
class CommandReader {
 public:
  explicit CommandReader(Partition partition) : partition_(partition), commands_(partition) {}

  // Takes the partition's next message (one without error); whole commands' records go to
  // `ready`. Returns the offset the consumer must go back to before reading on, if any; the
  // message is then read again, after the command's earlier parts.
  std::optional<std::int64_t> take(const rd_kafka_message_t& message, std::deque<Record>& ready) {
    auto part = part_of(message);
    if (check_ && message.offset < check_->resume) {
      check_part(message.offset, part);
      return std::nullopt;
    }
    if (check_) {
      if (check_->whole && check_->next == check_->resume) commands_.trust_midway_start();
      check_.reset();
    } else if (!started_) {
      started_ = true;
      if (part && part->index > 1 && message.offset >= static_cast<std::int64_t>(part->index - 1)) {
        const auto first = message.offset - static_cast<std::int64_t>(part->index - 1);
        check_ = Check{part->command, part->count, first, message.offset, first, true};
        return first;
      }
    }
    commands_.admit(record_of(message, partition_), std::move(part), ready);
    return std::nullopt;
  }

  // The offset of the first record taken but not passed on yet (held back, or where reading
  // resumes once the earlier parts are checked), if any.
  std::optional<Offset> pending_from() const {
    if (check_) return Offset{check_->resume};
    return commands_.held_from();
  }

 private:
  // Checks that the record at `offset`, before where reading resumes, is the expected part.
  void check_part(std::int64_t offset, const std::optional<Part>& part) {
    const auto expected = static_cast<std::size_t>(offset - check_->first + 1);
    check_->whole = check_->whole && offset == check_->next && part &&
                    part->command == check_->command && part->count == check_->count &&
                    part->index == expected;
    check_->next = offset + 1;
  }

  // The earlier parts of the command reading started in the middle of, being checked.
  struct Check {
    std::string command;  // the command's id
    std::size_t count;    // its number of parts
    std::int64_t first;   // the offset its first part must be at
    std::int64_t resume;  // the offset reading started at
    std::int64_t next;    // the offset of the part expected next
    bool whole;           // every part read so far was the expected one
  };

  Partition partition_;         // the partition reassembled
  CommandAssembler commands_;   // holds the parts of an incomplete command
  std::optional<Check> check_;  // while reading the earlier parts
  bool started_ = false;        // a message was taken
};

// Makes `consumer` read `partition` of `topic` on from `offset`, dropping what it fetched beyond.
// unavailable when it cannot.
Result<void> seek(rd_kafka_t* consumer, const char* topic, Partition partition,
                  std::int64_t offset) {
  rd_kafka_topic_partition_list_t* partitions = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(partitions, topic, partition.value)->offset = offset;
  rd_kafka_error_t* error =
      rd_kafka_seek_partitions(consumer, partitions, milliseconds(kCatchUpLimit));
  auto err = error != nullptr ? rd_kafka_error_code(error) : partitions->elems[0].err;
  if (error != nullptr) rd_kafka_error_destroy(error);
  rd_kafka_topic_partition_list_destroy(partitions);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return unavailable(fmt::format("partition {} cannot go back to offset {}: {}", partition.value,
                                   offset, rd_kafka_err2str(err)));
  }
  return success();
}

// A cursor on one partition: a consumer of its own (librdkafka's simple consumer: no group),
// started on that partition.
class KafkaCursor final : public events::PartitionCursor {
 public:
  // `topic` is a handle of `consumer`'s, consuming `partition` from `from`; the cursor owns both.
  KafkaCursor(Client consumer, rd_kafka_topic_t* topic, Partition partition, Offset from)
      : consumer_(std::move(consumer)),
        topic_(topic),
        partition_(partition),
        fetched_(from),
        commands_(partition) {}
  ~KafkaCursor() override {
    rd_kafka_consume_stop(topic_, partition_.value);
    rd_kafka_topic_destroy(topic_);
  }
  KafkaCursor(const KafkaCursor&) = delete;
  KafkaCursor& operator=(const KafkaCursor&) = delete;

  Result<std::vector<Record>> next(std::size_t max, std::chrono::milliseconds wait) override {
    using Clock = std::chrono::steady_clock;
    auto deadline = Clock::now() + wait;
    const auto catch_up_deadline = deadline + kCatchUpLimit;
    while (ready_.empty()) {
      if (Clock::now() >= deadline) {
        // Records already in the log are returned whatever the wait: keep polling while the
        // client is still fetching them.
        auto behind = records_unpolled();
        if (!behind) return behind.error();
        if (!*behind) break;
        if (Clock::now() >= catch_up_deadline) {
          return unavailable(fmt::format("partition {} did not deliver offset {} in time",
                                         partition_.value, fetched_.value));
        }
        deadline = Clock::now() + kFetchStep;
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (auto taken = take(std::max(0, milliseconds(left))); !taken) return taken.error();
    }
    // Then whatever else the partition already holds, up to `max`: records past those polled
    // may still be on their way from the broker, but nothing new is waited for.
    while (!ready_.empty() && ready_.size() < max) {
      auto behind = records_unpolled();
      if (!behind) return behind.error();
      if (!*behind || Clock::now() >= catch_up_deadline) break;
      if (auto taken = take(milliseconds(kFetchStep)); !taken) return taken.error();
    }
    std::vector<Record> out;
    while (!ready_.empty() && out.size() < max) {
      out.push_back(std::move(ready_.front()));
      ready_.pop_front();
    }
    return out;
  }

  Offset position() const override {
    if (!ready_.empty()) return ready_.front().position.offset;
    return commands_.pending_from().value_or(fetched_);
  }

 private:
  // Polls one message for up to `timeout_ms`. Returns whether one came.
  Result<bool> take(int timeout_ms) {
    rd_kafka_message_t* message = rd_kafka_consume(topic_, partition_.value, timeout_ms);
    if (message == nullptr) return false;
    std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> owned(
        message, rd_kafka_message_destroy);
    if (message->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET ||
        message->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE) {
      return make_error(errc::invalid, "offset",
                        fmt::format("offset {} is not in partition {}: {}", fetched_.value,
                                    partition_.value, rd_kafka_message_errstr(message)));
    }
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      // Connection trouble and the like: the client retries by itself.
      log_warn("kafka cursor",
               {{"partition", partition_.value}, {"error", rd_kafka_err2name(message->err)}});
      return true;
    }
    fetched_ = Offset{message->offset + 1};
    if (const auto back = commands_.take(*message, ready_)) {
      const auto sought = seek(consumer_.get(), rd_kafka_topic_name(topic_), partition_, *back);
      if (!sought) return sought.error();
      fetched_ = Offset{*back};
    }
    return true;
  }

  // Whether the partition holds records past those polled (its high watermark, as last
  // fetched, or asked for when the client knows none yet).
  Result<bool> records_unpolled() {
    const char* topic = rd_kafka_topic_name(topic_);
    std::int64_t low = 0, high = -1;
    if (rd_kafka_get_watermark_offsets(consumer_.get(), topic, partition_.value, &low, &high) !=
            RD_KAFKA_RESP_ERR_NO_ERROR ||
        high < 0) {
      auto end = query_end(consumer_.get(), topic, partition_.value, kCatchUpLimit);
      if (!end) return end.error();
      high = *end;
    }
    return high > fetched_.value;
  }

  Client consumer_;           // the client
  rd_kafka_topic_t* topic_;   // its handle of the topic, consuming partition_
  Partition partition_;       // the partition read
  Offset fetched_;            // the offset of the next message to poll
  std::deque<Record> ready_;  // whole commands' records, not yet returned
  CommandReader commands_;    // reassembles the commands
};

}  // namespace

struct KafkaEventLog::Impl {
  explicit Impl(KafkaLogOptions o) : options(std::move(o)) {}

  Settings producer_settings() const {
    return {{"bootstrap.servers", options.bootstrap_servers},
            {"client.id", "clientele-writer"},
            {"enable.idempotence", "true"},
            {"acks", "all"},
            {"partitioner", "murmur2_random"},
            // Appenders wait for their acknowledgement, so lingering only adds latency: the
            // messages that queue while requests are in flight batch by themselves
            // (bench log-append --appenders 256: 0 ms 139k events/s, 2 ms 72k, 5 ms 37k).
            {"linger.ms", "0"},
            {"batch.num.messages", "10000"},
            {"queue.buffering.max.messages", std::to_string(options.max_queued_events)},
            {"message.timeout.ms", std::to_string(options.append_timeout.count())},
            // A request in flight to a broker that went away fails no later than the append.
            {"request.timeout.ms", std::to_string(options.append_timeout.count())},
            {"socket.timeout.ms", std::to_string(options.append_timeout.count())}};
  }

  Result<Client> make_producer() {
    return make_client(RD_KAFKA_PRODUCER, producer_settings(), [this](rd_kafka_conf_t* conf) {
      rd_kafka_conf_set_opaque(conf, this);
      rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t*, const rd_kafka_message_t* m, void*) {
        const std::unique_ptr<Ticket> ticket(static_cast<Ticket*>(m->_private));
        ticket->flight->report(*m, ticket->index);
      });
      rd_kafka_conf_set_error_cb(conf, [](rd_kafka_t*, int err, const char* reason, void*) {
        // A fatal error is acted on by the poller, which asks the current producer.
        log_error("kafka producer error",
                  {{"error", rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err))},
                   {"detail", reason}});
      });
    });
  }

  Result<std::unique_ptr<KafkaCursor>> make_cursor(Partition partition, Offset from) const {
    auto consumer = make_client(RD_KAFKA_CONSUMER,
                                {{"bootstrap.servers", options.bootstrap_servers},
                                 {"client.id", "clientele-reader"},
                                 {"enable.auto.commit", "false"},
                                 {"enable.auto.offset.store", "false"},
                                 {"enable.partition.eof", "false"},
                                 {"fetch.wait.max.ms", "100"},
                                 {"queued.max.messages.kbytes", "16384"}},
                                [](rd_kafka_conf_t*) {});
    if (!consumer) return consumer.error();
    rd_kafka_topic_conf_t* topic_conf = rd_kafka_topic_conf_new();
    char reason[512];
    rd_kafka_topic_conf_set(topic_conf, "auto.offset.reset", "error", reason, sizeof reason);
    rd_kafka_topic_t* topic =
        rd_kafka_topic_new(consumer->get(), options.topic.c_str(), topic_conf);
    if (topic == nullptr) {
      return unavailable(fmt::format("cannot read topic {}: {}", options.topic,
                                     rd_kafka_err2str(rd_kafka_last_error())));
    }
    if (rd_kafka_consume_start(topic, partition.value, from.value) != 0) {
      const auto err = rd_kafka_last_error();
      rd_kafka_topic_destroy(topic);
      return unavailable(
          fmt::format("cannot read partition {}: {}", partition.value, rd_kafka_err2str(err)));
    }
    return std::make_unique<KafkaCursor>(std::move(*consumer), topic, partition, from);
  }

  // The partition count of the topic, or 0 when it does not exist.
  Result<int> topic_partitions() {
    const rd_kafka_metadata_t* metadata = nullptr;
    const auto err = rd_kafka_metadata(producer.load().get(), 1, nullptr, &metadata,
                                       milliseconds(options.connect_timeout));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return unavailable(fmt::format("cannot reach Kafka at {}: {}", options.bootstrap_servers,
                                     rd_kafka_err2str(err)));
    }
    int count = 0;
    for (int i = 0; i < metadata->topic_cnt; ++i) {
      const auto& topic = metadata->topics[i];
      if (options.topic == topic.topic && topic.err == RD_KAFKA_RESP_ERR_NO_ERROR)
        count = topic.partition_cnt;
    }
    rd_kafka_metadata_destroy(metadata);
    return count;
  }

  // Creates the topic through the Admin API. An existing topic is no error.
  Result<void> create_topic() {
    char reason[512];
    rd_kafka_NewTopic_t* topic =
        rd_kafka_NewTopic_new(options.topic.c_str(), options.partitions, options.replication_factor,
                              reason, sizeof reason);
    if (topic == nullptr)
      return make_error(errc::invalid, "", fmt::format("cannot create topic: {}", reason));
    const Producer client = producer.load();
    rd_kafka_AdminOptions_t* admin =
        rd_kafka_AdminOptions_new(client.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_request_timeout(admin, milliseconds(options.connect_timeout), reason,
                                              sizeof reason);
    rd_kafka_AdminOptions_set_operation_timeout(admin, milliseconds(options.connect_timeout),
                                                reason, sizeof reason);
    rd_kafka_queue_t* queue = rd_kafka_queue_new(client.get());
    rd_kafka_CreateTopics(client.get(), &topic, 1, admin, queue);
    rd_kafka_event_t* event =
        rd_kafka_queue_poll(queue, milliseconds(options.connect_timeout) + 1000);
    auto err = event == nullptr ? RD_KAFKA_RESP_ERR__TIMED_OUT : rd_kafka_event_error(event);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::size_t count = 0;
      const auto** results =
          rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count);
      if (count == 1) err = rd_kafka_topic_result_error(results[0]);
    }
    if (event != nullptr) rd_kafka_event_destroy(event);
    rd_kafka_queue_destroy(queue);
    rd_kafka_AdminOptions_destroy(admin);
    rd_kafka_NewTopic_destroy(topic);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      return unavailable(
          fmt::format("cannot create topic {}: {}", options.topic, rd_kafka_err2str(err)));
    }
    return success();
  }

  // Checks the topic's partition count, creating the topic first when it is missing.
  Result<void> ensure_topic() {
    auto count = topic_partitions();
    if (!count) return count.error();
    if (*count == 0) {
      log_info("creating the event log topic",
               {{"topic", options.topic}, {"partitions", options.partitions}});
      if (auto created = create_topic(); !created) return created.error();
      // The new topic shows in the metadata shortly after.
      const auto deadline = std::chrono::steady_clock::now() + options.connect_timeout;
      while ((count = topic_partitions()) && *count == 0 &&
             std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      if (!count) return count.error();
    }
    if (*count != options.partitions) {
      return make_error(errc::invalid, "partitions",
                        fmt::format("topic {} has {} partitions, the log is configured for {}",
                                    options.topic, *count, options.partitions));
    }
    return success();
  }

  // Enqueues one event of a command of `count` events on `producer`. Returns librdkafka's
  // refusal, if any.
  rd_kafka_resp_err_t produce(rd_kafka_t* producer, std::int32_t partition, std::string_view key,
                              const EncodedEvent& event, std::size_t index, std::size_t count,
                              std::string_view command_id,
                              const std::shared_ptr<InFlight>& flight) {
    rd_kafka_headers_t* headers = rd_kafka_headers_new(4);
    const auto version = std::to_string(event.version);
    rd_kafka_header_add(headers, "type", -1, event.type.data(),
                        static_cast<ssize_t>(event.type.size()));
    rd_kafka_header_add(headers, "v", -1, version.data(), static_cast<ssize_t>(version.size()));
    rd_kafka_header_add(headers, "id", -1, event.id.data(), static_cast<ssize_t>(event.id.size()));
    if (count > 1) {
      const auto part = fmt::format("{}/{}/{}", index + 1, count, command_id);
      rd_kafka_header_add(headers, kPartHeader.data(), static_cast<ssize_t>(kPartHeader.size()),
                          part.data(), static_cast<ssize_t>(part.size()));
    }
    auto ticket = std::make_unique<Ticket>(Ticket{flight, index});
    const auto err = rd_kafka_producev(
        producer, RD_KAFKA_V_TOPIC(options.topic.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_KEY(key.data(), key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(event.payload.data()), event.payload.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers),
        RD_KAFKA_V_OPAQUE(ticket.get()), RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_headers_destroy(headers);
    } else {
      ticket.release();  // the delivery report deletes it
    }
    return err;
  }

  // Serves delivery reports; replaces the producer after a fatal error. Once stopping (no append
  // is waiting any more), purges the retired producers and serves them until they hold nothing.
  void poll_loop() {
    using Clock = std::chrono::steady_clock;
    auto next_attempt = Clock::now();  // of replacing a failed producer
    while (!stopping) {
      const Producer current = producer.load();
      if (rd_kafka_fatal_error(current.get(), nullptr, 0) != RD_KAFKA_RESP_ERR_NO_ERROR &&
          Clock::now() >= next_attempt && !replace_producer(current)) {
        next_attempt = Clock::now() + std::chrono::seconds(1);
      }
      rd_kafka_poll(current.get(), retired.empty() ? 50 : 10);
      serve_retired();
    }
    for (auto& old : retired) old.purge_at = Clock::now();
    while (!retired.empty()) {
      serve_retired();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  // A fatal error (e.g. the idempotent producer lost its sequence) ends a producer for good:
  // appends go to a new one at once, and the failed one retires (see serve_retired()). Returns
  // false when no new producer could be made.
  bool replace_producer(const Producer& failed) {
    char reason[512];
    const auto cause = rd_kafka_fatal_error(failed.get(), reason, sizeof reason);
    log_error("kafka producer failed for good; replacing it",
              {{"error", rd_kafka_err2name(cause)}, {"detail", reason}});
    auto fresh = make_producer();
    if (!fresh) {
      log_error("cannot make a new kafka producer", {{"error", fresh.error().message}});
      return false;
    }
    // Appends that loaded the failed producer before the swap keep it alive while they use it;
    // it refuses their events (librdkafka refuses to produce after a fatal error).
    producer.store(Producer(std::move(*fresh)));
    retired.push_back(
        Retired{failed, std::chrono::steady_clock::now() + options.append_timeout, false});
    ++restarts;
    return true;
  }

  // Serves the delivery reports of the retired producers. Librdkafka drops a failed producer's
  // queue at once but still waits for the answers to the requests it has in flight, so that
  // what the brokers stored is reported as stored; what is unanswered by the time its appends
  // stop waiting is purged (and reported as outcome unknown, see InFlight). A retired producer
  // is let go once it holds nothing.
  void serve_retired() {
    const auto now = std::chrono::steady_clock::now();
    std::erase_if(retired, [&](Retired& old) {
      if (!old.purged && now >= old.purge_at) {
        rd_kafka_purge(old.producer.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        old.purged = true;
      }
      rd_kafka_poll(old.producer.get(), 0);
      return rd_kafka_outq_len(old.producer.get()) == 0;
    });
  }

  // A producer replaced after a fatal error, until every message it holds is reported.
  struct Retired {
    Producer producer;                               // the failed producer
    std::chrono::steady_clock::time_point purge_at;  // when its unanswered messages are purged
    bool purged;                                     // they were
  };

  KafkaLogOptions options;
  // The producer appends use. Replaced whole, so a replacement never waits for its users, and
  // each keeps the producer it loaded alive until done with it.
  std::atomic<Producer> producer;
  std::vector<Retired> retired;  // replaced producers still holding messages; the poller's own
  // One per partition, held while a command's events are enqueued, so they are contiguous.
  std::unique_ptr<std::timed_mutex[]> partition_mu;
  std::atomic<bool> stopping{false};  // the poller should end
  std::thread poller;                 // runs poll_loop()
  std::atomic<std::uint64_t> appends{0}, events{0}, failed_appends{0}, restarts{0};
};

Result<std::unique_ptr<KafkaEventLog>> KafkaEventLog::open(const KafkaLogOptions& options) {
  if (options.partitions < 1 || options.partitions > kMaxPartitions)
    return make_error(errc::invalid, "partitions", "partitions must be 1..1024");
  if (options.bootstrap_servers.empty())
    return make_error(errc::invalid, "event-log", "no Kafka bootstrap servers given");
  auto impl = std::make_unique<Impl>(options);
  auto producer = impl->make_producer();
  if (!producer) return producer.error();
  impl->producer.store(Producer(std::move(*producer)));
  if (auto ready = impl->ensure_topic(); !ready) return ready.error();
  impl->partition_mu =
      std::make_unique<std::timed_mutex[]>(static_cast<std::size_t>(options.partitions));
  impl->poller = std::thread([raw = impl.get()] { raw->poll_loop(); });
  return std::unique_ptr<KafkaEventLog>(new KafkaEventLog(std::move(impl)));
}

KafkaEventLog::KafkaEventLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

KafkaEventLog::~KafkaEventLog() {
  rd_kafka_flush(impl_->producer.load().get(), milliseconds(impl_->options.append_timeout));
  impl_->stopping = true;
  impl_->poller.join();
}

Partition KafkaEventLog::partition_for(std::string_view key) const {
  return Partition{murmur2_partition(key, impl_->options.partitions)};
}

Result<std::vector<Position>> KafkaEventLog::append(std::string_view key,
                                                    std::span<const EncodedEvent> events) {
  if (events.empty()) return make_error(errc::invalid, "", "nothing to append");
  const auto partition = partition_for(key).value;
  const auto flight = std::make_shared<InFlight>(events.size());
  const auto deadline = std::chrono::steady_clock::now() + impl_->options.append_timeout;
  std::size_t enqueued = 0;
  auto refused = RD_KAFKA_RESP_ERR_NO_ERROR;
  {
    std::unique_lock partition_lock(impl_->partition_mu[static_cast<std::size_t>(partition)],
                                    std::defer_lock);
    if (!partition_lock.try_lock_until(deadline)) {
      ++impl_->failed_appends;
      return unavailable(fmt::format(
          "not written to the event log: partition {} stayed busy with other appends for {} ms",
          partition, impl_->options.append_timeout.count()));
    }
    // Loaded once the partition is ours, so a replacement made while waiting for it is used.
    const Producer producer = impl_->producer.load();
    while (enqueued < events.size()) {
      refused = impl_->produce(producer.get(), partition, key, events[enqueued], enqueued,
                               events.size(), events.front().id, flight);
      if (refused == RD_KAFKA_RESP_ERR__QUEUE_FULL && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
      if (refused != RD_KAFKA_RESP_ERR_NO_ERROR) break;
      ++enqueued;
    }
  }
  // The events enqueued get their reports even when a later one was refused: wait for them,
  // though no longer than the append may take (librdkafka may report a timeout late).
  if (!flight->forget(events.size() - enqueued) && !flight->done.try_acquire_until(deadline)) {
    ++impl_->failed_appends;
    return unavailable(
        fmt::format("the event log did not confirm the append within {} ms; outcome unknown",
                    impl_->options.append_timeout.count()));
  }
  std::lock_guard lock(flight->mu);

  if (refused != RD_KAFKA_RESP_ERR_NO_ERROR || flight->error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++impl_->failed_appends;
    // A command missing any event is incomplete in the log, and readers skip it.
    if (!flight->some_purged &&
        (refused != RD_KAFKA_RESP_ERR_NO_ERROR || flight->some_not_written)) {
      const auto err = refused != RD_KAFKA_RESP_ERR_NO_ERROR ? refused : flight->error;
      return unavailable(fmt::format("not written to the event log: {}", rd_kafka_err2str(err)));
    }
    return unavailable(fmt::format("the event log did not confirm the append; outcome unknown: {}",
                                   rd_kafka_err2str(flight->error)));
  }
  // A retried message the broker had already is reported persisted without its offset
  // (DUPLICATE_SEQUENCE_NUMBER): where the command is stays unknown.
  const auto& positions = flight->positions;
  for (std::size_t i = 0; i < positions.size(); ++i) {
    if (positions[i].offset.value < 0 ||
        positions[i].offset.value !=
            positions.front().offset.value + static_cast<std::int64_t>(i)) {
      ++impl_->failed_appends;
      return unavailable("the event log stored the append but did not say where; outcome unknown");
    }
  }
  ++impl_->appends;
  impl_->events += events.size();
  return std::move(flight->positions);
}

std::int32_t KafkaEventLog::partition_count() const {
  return impl_->options.partitions;
}

Result<Offset> KafkaEventLog::end_offset(Partition partition) {
  if (partition.value < 0 || partition.value >= impl_->options.partitions)
    return make_error(errc::invalid, "partition", "no such partition");
  auto end = query_end(impl_->producer.load().get(), impl_->options.topic.c_str(), partition.value,
                       impl_->options.connect_timeout);
  if (!end) return end.error();
  return Offset{*end};
}

Result<std::unique_ptr<events::PartitionCursor>> KafkaEventLog::open_cursor(Partition partition,
                                                                            Offset from) {
  if (partition.value < 0 || partition.value >= impl_->options.partitions)
    return make_error(errc::invalid, "partition", "no such partition");
  if (from.value < 0) return make_error(errc::invalid, "offset", "offsets start at 0");
  auto cursor = impl_->make_cursor(partition, from);
  if (!cursor) return cursor.error();
  return std::unique_ptr<events::PartitionCursor>(std::move(*cursor));
}

KafkaEventLog::Stats KafkaEventLog::stats() const {
  return Stats{impl_->appends, impl_->events, impl_->failed_appends, impl_->restarts};
}

// ---- group reading -------------------------------------------------------------------------

struct KafkaGroupReader::Impl {
  // Starts assigned partitions at their checkpoints; forgets revoked ones.
  static void on_rebalance(rd_kafka_t* client, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    auto& self = *static_cast<Impl*>(opaque);
    self.ready.clear();
    self.readers.clear();
    if (err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      rd_kafka_assign(client, nullptr);
      log_info("kafka group reader revoked", {{"group", self.options.group}});
      return;
    }
    nlohmann::json assigned = nlohmann::json::array();
    for (int i = 0; i < partitions->cnt; ++i) {
      auto& partition = partitions->elems[i];
      const Partition p{partition.partition};
      partition.offset = self.options.checkpoint(p).value;
      self.readers.emplace(p.value, CommandReader(p));
      assigned.push_back({{"partition", p.value}, {"offset", partition.offset}});
    }
    rd_kafka_assign(client, partitions);
    log_info("kafka group reader assigned", {{"group", self.options.group}, {"from", assigned}});
  }

  // Takes one message; whole commands go to `ready`.
  Result<void> take(const rd_kafka_message_t& message) {
    if (message.err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET ||
        message.err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE) {
      return make_error(errc::invalid, "offset",
                        fmt::format("a checkpoint is not in partition {}: {}", message.partition,
                                    rd_kafka_message_errstr(&message)));
    }
    if (message.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      log_warn("kafka group reader", {{"error", rd_kafka_err2name(message.err)}});
      return success();
    }
    const auto reader = readers.find(message.partition);
    if (reader == readers.end()) return success();  // fetched before a revocation
    if (const auto back = reader->second.take(message, ready))
      return seek(consumer.get(), topic.c_str(), Partition{message.partition}, *back);
    return success();
  }

  // Polls one message for up to `timeout_ms`. Returns whether one came.
  Result<bool> poll(int timeout_ms) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer.get(), timeout_ms);
    if (message == nullptr) return false;
    const std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> owned(
        message, rd_kafka_message_destroy);
    if (auto taken = take(*message); !taken) return taken.error();
    return true;
  }

  KafkaGroupOptions options;
  std::string topic;                              // the log's topic
  Client consumer;                                // subscribed to the topic in options.group
  std::map<std::int32_t, CommandReader> readers;  // one per assigned partition
  std::deque<Record> ready;                       // whole commands' records, not yet returned
};

Result<std::unique_ptr<KafkaGroupReader>> KafkaGroupReader::open(const KafkaLogOptions& log,
                                                                 const KafkaGroupOptions& options) {
  if (options.group.empty()) return make_error(errc::invalid, "group", "no consumer group given");
  if (!options.checkpoint)
    return make_error(errc::invalid, "checkpoint", "no checkpoint function given");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->topic = log.topic;
  auto consumer =
      make_client(RD_KAFKA_CONSUMER,
                  {{"bootstrap.servers", log.bootstrap_servers},
                   {"client.id", "clientele-group-reader"},
                   {"group.id", options.group},
                   {"session.timeout.ms", std::to_string(options.session_timeout.count())},
                   {"heartbeat.interval.ms", std::to_string(options.session_timeout.count() / 3)},
                   {"enable.auto.commit", "false"},
                   {"enable.auto.offset.store", "false"},
                   {"enable.partition.eof", "false"},
                   {"auto.offset.reset", "error"},
                   {"fetch.wait.max.ms", "100"},
                   {"queued.max.messages.kbytes", "16384"}},
                  [raw = impl.get()](rd_kafka_conf_t* conf) {
                    rd_kafka_conf_set_opaque(conf, raw);
                    rd_kafka_conf_set_rebalance_cb(conf, Impl::on_rebalance);
                  });
  if (!consumer) return consumer.error();
  impl->consumer = std::move(*consumer);
  rd_kafka_poll_set_consumer(impl->consumer.get());
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, log.topic.c_str(), RD_KAFKA_PARTITION_UA);
  const auto err = rd_kafka_subscribe(impl->consumer.get(), topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    return unavailable(
        fmt::format("cannot join group {}: {}", options.group, rd_kafka_err2str(err)));
  return std::unique_ptr<KafkaGroupReader>(new KafkaGroupReader(std::move(impl)));
}

KafkaGroupReader::KafkaGroupReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

KafkaGroupReader::~KafkaGroupReader() {
  rd_kafka_consumer_close(impl_->consumer.get());
}

Result<std::vector<Record>> KafkaGroupReader::next(std::size_t max,
                                                   std::chrono::milliseconds wait) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + wait;
  while (impl_->ready.empty()) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() < 0) break;
    auto polled = impl_->poll(milliseconds(left));
    if (!polled) return polled.error();
    if (!*polled) break;
  }
  while (!impl_->ready.empty() && impl_->ready.size() < max) {
    auto polled = impl_->poll(0);
    if (!polled) return polled.error();
    if (!*polled) break;
  }
  std::vector<Record> out;
  while (!impl_->ready.empty() && out.size() < max) {
    out.push_back(std::move(impl_->ready.front()));
    impl_->ready.pop_front();
  }
  return out;
}

std::vector<Partition> KafkaGroupReader::assignment() const {
  std::vector<Partition> out;
  for (const auto& [partition, reader] : impl_->readers) out.push_back(Partition{partition});
  return out;
}

}  // namespace clientele::infra
