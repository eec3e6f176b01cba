#pragma once
// A read model is a fold (STYLE.md): evolve(event, rows) plus the layout of its keys. The runtime
// around it — subscription, opening, decoding, batching, checkpoints, rebuilds — is the
// projector's (projector.hpp), written once for all of them.

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
class Rows {
 public:
  Rows(WriteBatch& batch, Namespace ns) : batch_(batch), ns_(std::move(ns)) {}

  Result<std::optional<std::string>> get(std::string_view key) { return batch_.get(ns_, key); }
  void put(std::string_view key, std::string_view value) { batch_.put(ns_, key, value); }
  void remove(std::string_view key) { batch_.remove(ns_, key); }
  Result<void> scan(const KeyRange& range, const Visit& visit) {
    return batch_.scan(ns_, range, visit);
  }
  // Removes every key of `range`.
  Result<void> remove_all(const KeyRange& range);

  // A row holding a document (MessagePack); nullopt when absent, errc::corrupt when unreadable.
  Result<std::optional<nlohmann::json>> get_doc(std::string_view key);
  void put_doc(std::string_view key, const nlohmann::json& doc);
  // The keys of `range` and their documents, in key order.
  Result<std::vector<KeyedDoc>> scan_docs(const KeyRange& range);

 private:
  WriteBatch& batch_;  // the batch being written
  Namespace ns_;       // the read model's namespace
};

// The document a row holds (written by Rows::put_doc); errc::corrupt when it does not parse.
Result<nlohmann::json> parse_doc(std::string_view bytes);
// The keys of `range` in `ns` and their documents, in key order, as `snapshot` sees them.
Result<std::vector<KeyedDoc>> scan_docs(const Snapshot& snapshot, const Namespace& ns,
                                        const KeyRange& range);

// A digest of every row of `ns` (keys and values, in key order) as `snapshot` sees them: equal
// digests mean equal contents.
Result<std::string> digest(const Snapshot& snapshot, const Namespace& ns);

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
