#include "tools/replay.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <sstream>
#include <thread>

#include "events/codec.hpp"
#include "events/crypto.hpp"
#include "events/json.hpp"
#include "events/json_text.hpp"
#include "events/sealing.hpp"
#include "infra/logging.hpp"
#include "tools/installation.hpp"

namespace clientele::tools {
namespace {

constexpr std::size_t kBatch = 1024;           // records read per cursor call
constexpr std::size_t kPseudonymSlots = 4096;  // pseudonyms remembered at most
constexpr std::string_view kCustomerStream = "customer-";
constexpr int kBadOptions = 2;  // exit code for a malformed option

const std::vector<std::string>& default_fields() {
  static const std::vector<std::string> fields{"position", "id",         "type",   "v",
                                               "at",       "customerId", "stream", "seq"};
  return fields;
}

// ---- options -------------------------------------------------------------------------------

enum class Format { Jsonl, Csv };

// The options, checked and resolved.
struct Plan {
  std::vector<std::string> types;                // wire names kept; empty keeps all
  std::optional<std::string> customer;           // the only partition key kept
  std::optional<Timestamp> since;                // inclusive
  std::optional<Timestamp> until;                // exclusive
  std::optional<events::Partition> partition;    // the only partition read
  events::Offset from;                           // where reading `partition` starts
  std::int64_t limit = -1;                       // most events printed; -1: no limit
  Format format = Format::Jsonl;                 // output format
  std::vector<std::string> field_names;          // CSV columns as given
  std::vector<std::vector<std::string>> fields;  // CSV columns split at the dots
  bool with_personal = false;                    // open sealed blocks, keep ids in the clear
};

Error bad_option(std::string option, std::string message) {
  return make_error(errc::invalid, std::move(option), std::move(message));
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    const auto end = text.find(separator, start);
    parts.emplace_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

Result<std::optional<Timestamp>> timestamp_option(const std::string& option,
                                                  const std::string& text) {
  if (text.empty()) return std::optional<Timestamp>();
  const auto parsed = parse_timestamp(text);
  if (!parsed) {
    return bad_option(option,
                      "must be a UTC timestamp such as 2026-01-20T14:30:00Z or "
                      "2026-01-20T14:30:00.123Z");
  }
  return std::optional<Timestamp>(*parsed);
}

// Checks that every --type is a known wire name.
Result<void> check_types(const std::vector<std::string>& types) {
  for (const auto& type : types) {
    if (events::find_event_type(type) != nullptr) continue;
    std::string known;
    for (const auto& entry : events::catalog()) {
      known += known.empty() ? "" : ", ";
      known += entry.type;
    }
    return bad_option("--type", "unknown event type \"" + type + "\"; known types: " + known);
  }
  return success();
}

// Sets the output format and, for CSV, the columns.
Result<void> plan_format(const ReplayOptions& options, Plan& plan) {
  if (options.format == "csv") {
    plan.format = Format::Csv;
  } else if (options.format != "jsonl") {
    return bad_option("--format", "must be jsonl or csv");
  }
  if (!options.fields.empty() && plan.format != Format::Csv) {
    return bad_option("--fields", "applies to --format csv only");
  }
  plan.field_names = options.fields.empty() ? default_fields() : options.fields;
  for (const auto& name : plan.field_names) {
    auto path = split(name, '.');
    for (const auto& segment : path) {
      if (segment.empty()) return bad_option("--fields", "\"" + name + "\" is not a dotted path");
    }
    plan.fields.push_back(std::move(path));
  }
  return success();
}

Result<Plan> plan_of(const ReplayOptions& options) {
  Plan plan;
  if (auto checked = check_types(options.types); !checked) return checked.error();
  plan.types = options.types;
  if (!options.customer.empty()) plan.customer = options.customer;
  auto since = timestamp_option("--since", options.since);
  if (!since) return since.error();
  plan.since = *since;
  auto until = timestamp_option("--until", options.until);
  if (!until) return until.error();
  plan.until = *until;
  if (options.partition >= 0) plan.partition = events::Partition{options.partition};
  if (options.from_offset < 0) return bad_option("--from-offset", "must not be negative");
  if (options.from_offset > 0 && !plan.partition) {
    return bad_option("--from-offset", "needs --partition");
  }
  plan.from = events::Offset{options.from_offset};
  plan.limit = options.limit;
  if (auto format = plan_format(options, plan); !format) return format.error();
  plan.with_personal = options.with_personal_data;
  return plan;
}

// The pseudonym key: --pseudonym-key-file, else CLIENTELE_PSEUDONYM_KEY, else a random key for
// this run only (with a warning). errc::invalid naming the source when it is malformed.
Result<events::SecretKey> pseudonym_key(const ReplayOptions& options) {
  constexpr const char* kEnv = "CLIENTELE_PSEUDONYM_KEY";
  constexpr std::string_view kShape = " does not hold 32 bytes as 64 hex digits or base64";
  if (!options.pseudonym_key_file.empty()) {
    std::ifstream in(options.pseudonym_key_file);
    if (!in) {
      return bad_option("--pseudonym-key-file",
                        "file " + options.pseudonym_key_file + " cannot be read");
    }
    std::stringstream text;
    text << in.rdbuf();
    auto key = events::SecretKey::parse(text.str());
    if (!key) {
      return bad_option("--pseudonym-key-file",
                        "file " + options.pseudonym_key_file + std::string(kShape));
    }
    return key;
  }
  if (const char* value = std::getenv(kEnv); value != nullptr && *value != '\0') {
    auto key = events::SecretKey::parse(value);
    if (!key) return bad_option(kEnv, kEnv + std::string(kShape));
    return key;
  }
  infra::log(spdlog::level::warn,
             "no pseudonym key given: using a random one, so these pseudonyms will not match "
             "those of other runs",
             {{"hint", "give --pseudonym-key-file or CLIENTELE_PSEUDONYM_KEY"}});
  return events::SecretKey::random();
}

// ---- pseudonyms ----------------------------------------------------------------------------

// Keyed pseudonyms of customer ids: "PSN_" + the first 32 hex digits of HMAC-SHA256(key, id).
// The most recent ones are remembered in a fixed number of slots, so memory stays constant.
// Not thread-safe.
class Pseudonyms {
 public:
  explicit Pseudonyms(events::SecretKey key) : key_(std::move(key)), slots_(kPseudonymSlots) {}

  // The pseudonym of `id`. The reference is valid until the next call.
  const std::string& of(std::string_view id) {
    auto& slot = slots_[std::hash<std::string_view>{}(id) % slots_.size()];
    if (slot.pseudonym.empty() || slot.id != id) {
      slot.id.assign(id);
      slot.pseudonym = "PSN_";
      slot.pseudonym.append(std::string_view(events::keyed_hash_hex(key_, id)).substr(0, 32));
    }
    return slot.pseudonym;
  }

 private:
  struct Slot {
    std::string id;         // the customer id
    std::string pseudonym;  // its pseudonym; empty while the slot is unused
  };
  events::SecretKey key_;    // the pseudonym key
  std::vector<Slot> slots_;  // direct-mapped by the hash of the id
};

// Inside `j`: every "customerId" member becomes its own pseudonym, and every other string equal
// to `id` becomes `pseudonym`.
void pseudonymize_json(nlohmann::json& j, const std::string& id, const std::string& pseudonym,
                       Pseudonyms& pseudonyms) {
  const auto replace = [&](nlohmann::json& value, bool is_customer_id) {
    if (value.is_structured()) {
      pseudonymize_json(value, id, pseudonym, pseudonyms);
    } else if (value.is_string()) {
      auto& text = value.get_ref<std::string&>();
      if (text == id) {
        text = pseudonym;
      } else if (is_customer_id) {
        text = pseudonyms.of(text);
      }
    }
  };
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) replace(it.value(), it.key() == "customerId");
  } else if (j.is_array()) {
    for (auto& element : j) replace(element, false);
  }
}

// Replaces the customer id of `e` by its pseudonym wherever it appears: customerId, the stream
// "customer-<id>", actor.id, and `data`.
void pseudonymize(events::Envelope& e, Pseudonyms& pseudonyms) {
  const std::string id = e.customer_id.str();
  e.customer_id = CustomerId(pseudonyms.of(id));
  const std::string& pseudonym = e.customer_id.str();
  if (e.stream.starts_with(kCustomerStream) &&
      std::string_view(e.stream).substr(kCustomerStream.size()) == id) {
    e.stream.replace(kCustomerStream.size(), std::string::npos, pseudonym);
  }
  if (e.actor.id.str() == id) e.actor.id = UserId(pseudonym);
  pseudonymize_json(e.data, id, pseudonym, pseudonyms);
}

// ---- output --------------------------------------------------------------------------------

// Appends `text` as one CSV cell, quoted as RFC 4180 says when it holds a comma, a quote or a
// line break.
void append_csv_cell(std::string& out, std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += text;
    return;
  }
  out += '"';
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

// The cell text of a JSON value: strings without quotes, null as nothing, anything else (numbers,
// booleans, objects, arrays) as its JSON text.
void json_cell(const nlohmann::json& value, std::string& cell) {
  if (value.is_string()) {
    cell = value.get_ref<const std::string&>();
  } else if (!value.is_null()) {
    cell = value.dump();
  }
}

// Walks `path` into `j` (object members by name, array elements by index). Null when missing.
const nlohmann::json* find_path(const nlohmann::json& j, std::span<const std::string> path) {
  const nlohmann::json* at = &j;
  for (const auto& segment : path) {
    if (at->is_object()) {
      const auto it = at->find(segment);
      if (it == at->end()) return nullptr;
      at = &*it;
    } else if (at->is_array()) {
      std::size_t index = 0;
      const auto* end = segment.data() + segment.size();
      if (std::from_chars(segment.data(), end, index).ptr != end || index >= at->size()) {
        return nullptr;
      }
      at = &(*at)[index];
    } else {
      return nullptr;
    }
  }
  return at;
}

// The text of the top-level scalar member `name` of the output object of `e` into `cell`.
// Returns false when `name` is not one of them.
bool scalar_cell(const events::Envelope& e, events::Position position, std::string_view name,
                 std::string& cell) {
  if (name == "position") {
    cell = events::to_string(position);
  } else if (name == "v") {
    cell = std::to_string(e.v);
  } else if (name == "seq") {
    cell = std::to_string(e.seq.value);
  } else if (name == "at") {
    cell = format_timestamp(e.at);
  } else if (name == "erased") {
    if (e.erased) cell = "true";
  } else {
    const std::string* text = name == "id"              ? &e.id
                              : name == "type"          ? &e.type
                              : name == "customerId"    ? &e.customer_id.str()
                              : name == "stream"        ? &e.stream
                              : name == "correlationId" ? &e.correlation_id
                              : name == "causationId"   ? &e.causation_id
                                                        : nullptr;
    if (text == nullptr) return false;
    cell = *text;
  }
  return true;
}

// The text of the cell at `path` of the output object of `e` (as the JSONL line holds it)
// into `cell`, which is left empty when the path names nothing.
void csv_cell(const events::Envelope& e, events::Position position,
              std::span<const std::string> path, bool with_personal, std::string& cell) {
  cell.clear();
  const std::string& head = path.front();
  const auto rest = path.subspan(1);
  if (rest.empty() && scalar_cell(e, position, head, cell)) return;
  if (head == "actor") {
    if (rest.empty()) {
      events::JsonText actor;
      actor.raw(R"({"id":)").string(e.actor.id.str());
      actor.raw(R"(,"role":)").string(to_string(e.actor.role)).raw("}");
      cell = actor.take();
    } else if (rest.size() == 1 && rest[0] == "id") {
      cell = e.actor.id.str();
    } else if (rest.size() == 1 && rest[0] == "role") {
      cell = to_string(e.actor.role);
    }
  } else if (head == "data" || (head == "personal" && with_personal)) {
    if (const auto* value = find_path(head == "data" ? e.data : e.personal, rest)) {
      json_cell(*value, cell);
    }
  }
}

// ---- the replay ----------------------------------------------------------------------------

// A bounded first-in first-out queue between threads. Thread-safe.
template <class T>
class Channel {
 public:
  explicit Channel(std::size_t capacity) : capacity_(capacity) {}

  // Waits for room, then adds `value`.
  void push(T value) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return items_.size() < capacity_; });
    items_.push_back(std::move(value));
    changed_.notify_all();
  }

  // Waits for an item and takes it; nullopt once the channel is closed and empty.
  std::optional<T> pop() {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return !items_.empty() || closed_; });
    if (items_.empty()) return std::nullopt;
    T value = std::move(items_.front());
    items_.pop_front();
    changed_.notify_all();
    return value;
  }

  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mu_;                    // guards the members below
  std::condition_variable changed_;  // signalled on every push, pop and close
  std::deque<T> items_;              // oldest first
  std::size_t capacity_;             // most items held
  bool closed_ = false;              // no more pushes will come
};

// The records of the selected partitions, a batch at a time, each partition read from its start
// (or from --from-offset) up to its end as of when its reading began. Not thread-safe.
class Source {
 public:
  // `log` must outlive the source.
  Source(events::EventReader& log, std::vector<events::Partition> partitions, events::Offset from)
      : log_(log), partitions_(std::move(partitions)), from_(from) {}

  // The next records (at most kBatch); empty once everything has been read.
  Result<std::vector<events::Record>> next() {
    while (index_ < partitions_.size()) {
      if (!cursor_) {
        const auto partition = partitions_[index_];
        auto end = log_.end_offset(partition);
        if (!end) return end.error();
        end_ = *end;
        auto cursor = log_.open_cursor(partition, index_ == 0 ? from_ : events::Offset{0});
        if (!cursor) return cursor.error();
        cursor_ = std::move(*cursor);
      }
      if (cursor_->position() < end_) {
        auto records = cursor_->next(kBatch, std::chrono::milliseconds(0));
        if (!records) return records.error();
        std::erase_if(*records, [&](const events::Record& r) { return r.position.offset >= end_; });
        if (!records->empty()) return records;
      }
      cursor_.reset();
      ++index_;
    }
    return std::vector<events::Record>();
  }

 private:
  events::EventReader& log_;                         // the log read
  std::vector<events::Partition> partitions_;        // read in this order
  events::Offset from_;                              // where the first partition starts
  std::size_t index_ = 0;                            // the partition being read
  std::unique_ptr<events::PartitionCursor> cursor_;  // its cursor, once opened
  events::Offset end_;                               // its end when its reading began
};

// `payload` without its top-level "sealed" member, in `scratch` (or `payload` itself when it has
// none). Pseudonymous output drops the sealed block anyway; leaving it out before parsing spares
// lexing and decoding its ciphertext, most of an event's bytes. Only strings and nesting are
// tracked: anything malformed is left for parse_envelope to reject.
std::string_view without_sealed(std::string_view payload, std::string& scratch) {
  constexpr std::string_view kKey = "\"sealed\"";
  constexpr auto npos = std::string_view::npos;
  int depth = 0;
  bool in_string = false;
  bool key_next = false;        // the next string at depth 1 is a member name
  bool is_key = false;          // the current string is a member name at depth 1
  std::size_t token = 0;        // where the current string starts
  std::size_t member = npos;    // the comma before the current top-level member, or its start
  std::size_t cut_from = npos;  // set once the "sealed" member has begun
  if (!payload.starts_with('{')) return payload;
  for (std::size_t i = 0; i < payload.size(); ++i) {
    const char c = payload[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
        if (is_key && payload.substr(token, i + 1 - token) == kKey) cut_from = member;
      }
      continue;
    }
    const bool member_ends = depth == 1 && (c == ',' || c == '}');
    if (member_ends && cut_from != npos) {
      // Drop the member with the comma before it, or, when it is the first, the comma after it.
      const bool first = payload[cut_from] != ',';
      const std::size_t cut_to = first && c == ',' ? i + 1 : i;
      scratch.assign(payload.substr(0, cut_from));
      scratch.append(payload.substr(cut_to));
      return scratch;
    }
    switch (c) {
      case '"':
        in_string = true;
        token = i;
        is_key = depth == 1 && key_next;
        key_next = false;
        break;
      case '{':
        if (++depth == 1) {
          key_next = true;
          member = i + 1;
        }
        break;
      case '[':
        ++depth;
        break;
      case '}':
      case ']':
        --depth;
        break;
      case ',':
        if (depth == 1) {
          key_next = true;
          member = i;
        }
        break;
      default:
        break;
    }
  }
  return payload;
}

// What one batch of records came to: the lines of the selected events, and the events that could
// not be printed, in log order.
struct Formatted {
  struct Failure {
    std::size_t printed_before = 0;  // how many of the batch's lines come before it
    events::Position position;       // where the event is
    std::string what;                // what failed
    std::string error;               // why; never personal data
  };
  std::string text;               // the lines
  std::vector<std::size_t> ends;  // the end of each line in `text`
  std::vector<Failure> failures;  // in log order
};

// Selects, opens or pseudonymizes, and formats the events of a batch. One per worker thread.
class Formatter {
 public:
  // `plan` and `keys` must outlive the formatter. `pseudonyms` is unused with personal data.
  Formatter(const Plan& plan, events::KeyStore& keys, std::optional<Pseudonyms> pseudonyms)
      : plan_(plan), keys_(keys), pseudonyms_(std::move(pseudonyms)) {}

  Formatter(const Formatter&) = delete;
  Formatter& operator=(const Formatter&) = delete;

  Formatted format(const std::vector<events::Record>& records) {
    Formatted out;
    json_.text().clear();
    json_.text().reserve(reserve_);
    for (const auto& record : records) add(record, out);
    reserve_ = json_.text().size();
    out.text = std::move(json_.text());
    return out;
  }

 private:
  void add(const events::Record& record, Formatted& out) {
    if (plan_.customer && record.key != *plan_.customer) return;
    auto envelope = events::parse_envelope(
        plan_.with_personal ? record.payload : without_sealed(record.payload, scratch_));
    if (!envelope) {
      out.failures.push_back(
          {out.ends.size(), record.position, "event does not parse", envelope.error().message});
      return;
    }
    auto& e = *envelope;
    if (!selected(e)) return;
    if (plan_.with_personal) {
      if (auto opened = events::open(e, keys_); !opened) {
        out.failures.push_back({out.ends.size(), record.position, "sealed block does not open",
                                opened.error().message});
        return;
      }
    } else {
      e.sealed.reset();
      e.personal = nullptr;
      pseudonymize(e, *pseudonyms_);
    }
    if (plan_.format == Format::Jsonl) {
      // events::to_json(e) plus "position", without "sealed", and without "personal" unless
      // asked for.
      const auto position = events::to_string(record.position);
      events::append_json(json_, e, {plan_.with_personal, false, position});
      json_.raw("\n");
    } else {
      append_csv_row(json_.text(), e, record.position);
    }
    out.ends.push_back(json_.text().size());
  }

  bool selected(const events::Envelope& e) const {
    if (!plan_.types.empty() &&
        std::find(plan_.types.begin(), plan_.types.end(), e.type) == plan_.types.end()) {
      return false;
    }
    if (plan_.since && e.at < *plan_.since) return false;
    if (plan_.until && e.at >= *plan_.until) return false;
    return true;
  }

  void append_csv_row(std::string& out, const events::Envelope& e, events::Position position) {
    for (std::size_t i = 0; i < plan_.fields.size(); ++i) {
      if (i > 0) out += ',';
      csv_cell(e, position, plan_.fields[i], plan_.with_personal, cell_);
      append_csv_cell(out, cell_);
    }
    out += "\r\n";
  }

  const Plan& plan_;                      // what to select and how to print it
  events::KeyStore& keys_;                // opens sealed blocks (with personal data)
  std::optional<Pseudonyms> pseudonyms_;  // set unless printing personal data
  std::string cell_;                      // one CSV cell, reused
  std::string scratch_;                   // a payload without its sealed block, reused
  events::JsonText json_;                 // the lines of the batch being formatted
  std::size_t reserve_ = 0;               // the size of the previous batch's lines
};

// A thread formatting batches in the order it receives them.
class Worker {
 public:
  static constexpr std::size_t kQueue = 2;  // batches waiting in each direction

  // `plan` and `keys` must outlive the worker.
  Worker(const Plan& plan, events::KeyStore& keys, std::optional<Pseudonyms> pseudonyms)
      : formatter_(plan, keys, std::move(pseudonyms)), thread_([this] { loop(); }) {}
  ~Worker() {
    in.close();
    thread_.join();
  }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  Channel<std::vector<events::Record>> in{kQueue};  // batches to format
  Channel<Formatted> out{kQueue};                   // their results, in the same order

 private:
  void loop() {
    while (auto records = in.pop()) out.push(formatter_.format(*records));
  }

  Formatter formatter_;  // used by the thread only
  std::thread thread_;   // runs loop() until `in` is closed
};

// Streams the selected events to stdout: the main thread reads batches and hands them round-robin
// to the workers, then writes their results in the same order, so the output is in log order.
class Replay {
 public:
  // `plan` and `installation` must outlive the replay. `pseudonym_key` makes the pseudonyms; null
  // with personal data.
  Replay(const Plan& plan, Installation& installation, const events::SecretKey* pseudonym_key)
      : plan_(plan), installation_(installation) {
    const auto threads = std::clamp(std::thread::hardware_concurrency(), 1u, kMaxWorkers);
    for (unsigned i = 0; i < threads; ++i) {
      std::optional<Pseudonyms> pseudonyms;
      if (pseudonym_key != nullptr) pseudonyms.emplace(events::SecretKey(pseudonym_key->bytes()));
      workers_.push_back(std::make_unique<Worker>(plan, *installation.keys, std::move(pseudonyms)));
    }
  }

  // Returns the exit code (see run_replay).
  int run() {
    auto& log = *installation_.log;
    if (plan_.partition && plan_.partition->value >= log.partition_count()) {
      infra::log_error("invalid option",
                       {{"option", "--partition"},
                        {"error", "the event log has partitions 0.." +
                                      std::to_string(log.partition_count() - 1)}});
      return kBadOptions;
    }
    if (plan_.format == Format::Csv) write_csv_header();
    if (const int code = pump(Source(log, partitions(), plan_.from)); code != 0) return code;
    infra::log_info("replay finished", {{"events", printed_}, {"failed", failed_}});
    return failed_ == 0 ? 0 : 1;
  }

 private:
  static constexpr unsigned kMaxWorkers = 8;                // formatting threads at most
  static constexpr std::size_t kInFlight = Worker::kQueue;  // batches per worker at a time

  // The partitions to read, in order.
  std::vector<events::Partition> partitions() const {
    auto& log = *installation_.log;
    if (plan_.customer) {
      const auto home = log.partition_for(*plan_.customer);
      if (plan_.partition && *plan_.partition != home) return {};  // its events are elsewhere
      return {home};
    }
    if (plan_.partition) return {*plan_.partition};
    std::vector<events::Partition> all;
    for (std::int32_t p = 0; p < log.partition_count(); ++p) all.push_back(events::Partition{p});
    return all;
  }

  bool done() const { return plan_.limit >= 0 && printed_ >= plan_.limit; }

  // Moves every batch of `source` through the workers to stdout. Returns 0, or 1 when the log or
  // stdout failed.
  int pump(Source source) {
    std::size_t sent = 0;     // batches handed to the workers
    std::size_t written = 0;  // results written out
    bool more = !done();
    int code = 0;
    while (code == 0 && !done()) {
      if (more && sent - written < kInFlight * workers_.size()) {
        auto records = source.next();
        if (!records) {
          infra::log_error("cannot read the event log", {{"error", records.error().message}});
          code = 1;
        } else if (records->empty()) {
          more = false;
        } else {
          workers_[sent++ % workers_.size()]->in.push(std::move(*records));
        }
      } else if (written < sent) {
        auto formatted = workers_[written++ % workers_.size()]->out.pop();
        if (!write(*formatted)) code = 1;
      } else {
        break;
      }
    }
    while (written < sent) workers_[written++ % workers_.size()]->out.pop();  // left unprinted
    if (code == 0 && !flush()) code = 1;
    return code;
  }

  // Writes the lines of one batch (up to --limit) and logs its failures. False when stdout fails.
  bool write(const Formatted& formatted) {
    std::size_t lines = formatted.ends.size();
    if (plan_.limit >= 0) lines = std::min<std::size_t>(lines, plan_.limit - printed_);
    const bool cut =
        lines < formatted.ends.size() ||
        (plan_.limit >= 0 && printed_ + static_cast<std::int64_t>(lines) == plan_.limit);
    for (const auto& failure : formatted.failures) {
      if (cut && failure.printed_before >= lines) break;  // after the last line printed
      ++failed_;
      infra::log_error(failure.what, {{"position", events::to_string(failure.position)},
                                      {"error", failure.error}});
    }
    printed_ += static_cast<std::int64_t>(lines);
    buffer_.append(formatted.text, 0, lines == 0 ? 0 : formatted.ends[lines - 1]);
    return buffer_.size() < kFlushBytes || flush();
  }

  void write_csv_header() {
    for (std::size_t i = 0; i < plan_.field_names.size(); ++i) {
      if (i > 0) buffer_ += ',';
      append_csv_cell(buffer_, plan_.field_names[i]);
    }
    buffer_ += "\r\n";
  }

  // Writes the buffered lines to stdout. False (logged) when stdout fails.
  bool flush() {
    const bool ok = (buffer_.empty() ||
                     std::fwrite(buffer_.data(), 1, buffer_.size(), stdout) == buffer_.size()) &&
                    std::fflush(stdout) == 0;
    buffer_.clear();
    if (!ok) infra::log_error("cannot write to stdout");
    return ok;
  }

  static constexpr std::size_t kFlushBytes = 1 << 20;  // output buffered before a write

  const Plan& plan_;                              // what to print
  Installation& installation_;                    // the log and the keys
  std::vector<std::unique_ptr<Worker>> workers_;  // format batches in parallel
  std::string buffer_;                            // output not yet written, reused
  std::int64_t printed_ = 0;                      // events printed
  std::int64_t failed_ = 0;                       // events that could not be parsed or opened
};

int bad(const Error& error) {
  infra::log_error("invalid option", {{"option", error.field}, {"error", error.message}});
  return kBadOptions;
}

}  // namespace

CLI::App* add_replay_command(CLI::App& app, ReplayOptions& options) {
  auto* replay = app.add_subcommand(
      "replay",
      "Stream the event log to stdout as JSON lines (or CSV), pseudonymous unless "
      "--with-personal-data");
  add_store_options(*replay, options.store);
  replay
      ->add_option(
          "--type", options.types,
          "Only events of this wire name, e.g. order.placed (repeatable, or comma-separated)")
      ->delimiter(',');
  replay->add_option("--customer", options.customer,
                     "Only the events of this customer id (reads its partition only)");
  replay->add_option("--since", options.since,
                     "Only events at or after this UTC time, e.g. 2026-01-20T00:00:00Z");
  replay->add_option("--until", options.until, "Only events before this UTC time");
  auto* partition = replay->add_option("--partition", options.partition, "Read only this partition")
                        ->check(CLI::NonNegativeNumber);
  replay
      ->add_option("--from-offset", options.from_offset,
                   "Start at this offset of --partition (default 0)")
      ->check(CLI::NonNegativeNumber)
      ->needs(partition);
  replay->add_option("--limit", options.limit, "Print at most this many events")
      ->check(CLI::NonNegativeNumber);
  replay->add_option("--format", options.format, "Output format: jsonl or csv")
      ->check(CLI::IsMember({"jsonl", "csv"}))
      ->capture_default_str();
  replay
      ->add_option("--fields", options.fields,
                   "CSV columns: comma-separated dotted paths into each event's JSON object "
                   "(default position,id,type,v,at,customerId,stream,seq)")
      ->delimiter(',');
  auto* key_file = replay->add_option(
      "--pseudonym-key-file", options.pseudonym_key_file,
      "File holding the pseudonym key (64 hex digits or base64); or CLIENTELE_PSEUDONYM_KEY. "
      "Default: a random key, so pseudonyms differ between runs");
  replay
      ->add_flag("--with-personal-data", options.with_personal_data,
                 "Open the sealed personal fields and keep customer ids in the clear")
      ->excludes(key_file);
  return replay;
}

int run_replay(const ReplayOptions& options) {
  auto plan = plan_of(options);
  if (!plan) return bad(plan.error());
  std::optional<events::SecretKey> key;
  if (!plan->with_personal) {
    auto loaded = pseudonym_key(options);
    if (!loaded) return bad(loaded.error());
    key.emplace(std::move(*loaded));
  }
  if (options.store.event_log == "embedded" &&
      !std::filesystem::exists(options.store.event_log_dir() / "CURRENT")) {
    infra::log_error("no event log in the data directory",
                     {{"dataDir", std::filesystem::absolute(options.store.data_dir).string()}});
    return 1;
  }
  auto installation = open_installation(options.store);
  if (!installation) {
    infra::log_error("cannot open the installation", {{"error", installation.error().message}});
    return 1;
  }
  return Replay(*plan, *installation, key ? &*key : nullptr).run();
}

}  // namespace clientele::tools
