#pragma once
// A read model is a fold (STYLE.md): evolve(event, rows) plus the layout of its keys. The runtime
// around it — subscription, opening, decoding, batching, checkpoints, rebuilds — is the
// projector's (projector.hpp), written once for all of them.

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "domain/complaint.hpp"
#include "domain/customer.hpp"
#include "domain/order.hpp"
#include "domain/result.hpp"
#include "domain/time.hpp"
#include "events/envelope.hpp"
#include "events/event_log.hpp"
#include "projections/read_model_store.hpp"

namespace clientele::projections {

// The decoded body of an event of any aggregate.
using DomainEvent = std::variant<customer::Event, order::Event, complaint::Event>;

// One event as read models fold it.
struct Folded {
  const events::Envelope& envelope;  // opened: personal fields in the clear, or `erased`
  const DomainEvent& event;          // its body (personal fields empty when erased)
  events::Position position;         // where it is in the log
};

// A row's key and the document it holds.
using KeyedDoc = std::pair<std::string, nlohmann::json>;

// One read model's rows inside the batch being written: reads see the batch's pending writes.
// Documents are kept parsed while the batch is open, so that a row many events of one batch
// change (a member, a partition's counters) is parsed once and serialized once: flush() writes
// them into the batch, and must be called before it is committed.
class Rows {
 public:
  Rows(WriteBatch& batch, Namespace ns) : batch_(batch), ns_(std::move(ns)) {}

  Result<std::optional<std::string>> get(std::string_view key);
  void put(std::string_view key, std::string_view value);
  void remove(std::string_view key);
  Result<void> scan(const KeyRange& range, const Visit& visit);
  // Removes every key of `range`.
  Result<void> remove_all(const KeyRange& range);

  // A row holding a document (MessagePack); nullopt when absent, errc::corrupt when unreadable.
  Result<std::optional<nlohmann::json>> get_doc(std::string_view key);
  void put_doc(std::string_view key, nlohmann::json doc);
  // The document of a row, to change in place; null when the row is absent (set it to write
  // one). errc::corrupt when unreadable.
  Result<nlohmann::json*> edit_doc(std::string_view key);
  // The keys of `range` and their documents, in key order.
  Result<std::vector<KeyedDoc>> scan_docs(const KeyRange& range);

  // Writes the documents changed since the last flush into the batch.
  void flush();

 private:
  struct CachedDoc {
    std::optional<nlohmann::json> doc;  // nullopt: the row is absent
    bool changed = false;               // not yet written into the batch
  };

  // The cached document of `key`, read from the batch first if need be.
  Result<CachedDoc*> cached(std::string_view key);
  // Writes the cached document of `key`, if it changed, into the batch.
  void flush(std::string_view key);

  WriteBatch& batch_;                                   // the batch being written
  Namespace ns_;                                        // the read model's namespace
  std::map<std::string, CachedDoc, std::less<>> docs_;  // the documents read or written
};

// The document a row holds (written by Rows::put_doc); errc::corrupt when it does not parse.
Result<nlohmann::json> parse_doc(std::string_view bytes);
// The keys of `range` in `ns` and their documents, in key order, as `snapshot` sees them.
Result<std::vector<KeyedDoc>> scan_docs(const Snapshot& snapshot, const Namespace& ns,
                                        const KeyRange& range);

// A digest of every row of `ns` (keys and values, in key order) as `snapshot` sees them: equal
// digests mean equal contents.
Result<std::string> digest(const Snapshot& snapshot, const Namespace& ns);

// ---- keys and pages shared by the models -----------------------------------------------------

// Milliseconds since the epoch: how rows hold times.
std::int64_t millis(Timestamp t);
// Eight bytes that sort as the signed `value` does: a number inside a key.
std::string ordered(std::int64_t value);

// Which page of an index to read: pages are read by seeking, never by skipping rows.
struct PageRequest {
  bool descending = true;
  std::size_t limit = 20;
  std::string after;  // the cursor of the previous page; empty for the first
};

// A page of index keys.
struct KeyPage {
  std::vector<std::string> keys;  // in the order asked for
  std::string next;               // the cursor of the next page; empty after the last
};

// Whether an index entry (key, value) belongs in the page; errors stop the read.
using Wanted = std::function<Result<bool>(std::string_view key, std::string_view value)>;

// The keys of `range` in `ns` (all of which start with `prefix`) that `wanted` accepts, one page
// of `request` from its cursor. errc::invalid naming "after" for a cursor this function did not
// hand out for `prefix`.
Result<KeyPage> read_page(const Snapshot& snapshot, const Namespace& ns, const std::string& prefix,
                          KeyRange range, const PageRequest& request, const Wanted& wanted);

// Implementations hold no state of their own: everything is in their rows. Keys starting with a
// zero byte are the runtime's (checkpoints); a model's keys never do.
class ReadModel {
 public:
  virtual ~ReadModel() = default;

  // Lower case letters, digits and '_': with version() the model's namespace.
  virtual std::string_view name() const = 0;
  // Bumped whenever evolve() or the key layout changes: the service then rebuilds the model
  // beside the old version and switches once the new one has caught up.
  virtual int version() const = 0;

  Namespace ns() const { return Namespace{std::string(name()), version()}; }

  // Folds one event into `rows`. Every key it writes belongs to the event's partition (a
  // customer's rows, or per-partition figures that queries add up), so that workers folding
  // different partitions never write the same key. Errors stop the partition: they mean the
  // stored rows are corrupt.
  virtual Result<void> evolve(const Folded& event, Rows& rows) const = 0;
};

}  // namespace clientele::projections
