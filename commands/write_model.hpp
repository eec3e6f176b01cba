#pragma once
// The write side's own store (DESIGN.md §4): what the command strands need to decide without
// scanning the log. It holds
//   - every event of every stream, as written to the log (personal fields sealed), so that an
//     aggregate loads by its stream and not by a scan of its partition;
//   - per partition, the offset of the next event not yet applied: everything before it is in the
//     store, so after a crash a strand catches up from there before it decides anything;
//   - the global lookups the commands need across partitions (email, username, external account),
//     keyed only by keyed hashes, never by a personal value, and the order numbers given per year;
//   - idempotency records of the API, and the erasures asked for over it.
// The log stays the source of truth: the store can always be rebuilt from it.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/result.hpp"
#include "events/event_log.hpp"

namespace clientele::commands {

// The lookups of the write side. Keys are hashes or ids, values ids or records.
enum class Lookup {
  email,             // blind index of the normalized email -> customer id
  username,          // keyed hash of the username -> customer id
  username_counter,  // keyed hash of a username's stem -> the highest number given to it
  external_account,  // keyed hash of provider and subject -> customer id
  owned,             // customer id -> JSON list of the lookups the customer's identity holds
  idempotency,       // hash of the caller and the idempotency key -> the first answer
  phone,             // keyed hash of the E.164 phone number -> the customer who had it first
  erasure,           // erasure id -> the erasure's record (erasure_desk.hpp)
  order_number,      // year/partition ("2026/00007") -> the highest order number placed in it
};

// One atomic change of the store.
struct WriteModelBatch {
  struct StreamEvent {
    std::string stream;
    std::uint64_t seq = 0;  // 1-based position in the stream
    std::string wire;       // the envelope as in the log
  };
  struct Put {
    Lookup lookup;
    std::string key;
    std::string value;
  };
  struct Delete {
    Lookup lookup;
    std::string key;
  };
  std::vector<StreamEvent> events;
  std::vector<Put> puts;
  std::vector<Delete> deletes;
  std::optional<events::Position> applied;  // the next offset to apply in that partition
  bool sync = false;                        // make it durable before returning (the log already is)

  bool empty() const { return events.empty() && puts.empty() && deletes.empty() && !applied; }
};

// Implementations are thread-safe.
class WriteModelStore {
 public:
  virtual ~WriteModelStore() = default;

  // The next offset of `partition` to apply (0 when nothing was).
  virtual Result<events::Offset> applied(events::Partition partition) = 0;

  // The events of `stream` as written to the log, in stream order.
  virtual Result<std::vector<std::string>> stream(std::string_view stream) = 0;

  // The value of `key` in `lookup`, or nullopt.
  virtual Result<std::optional<std::string>> find(Lookup lookup, std::string_view key) = 0;

  // Calls `visit` with every entry of `lookup` (key, value), in key order, from one snapshot.
  virtual Result<void> scan(
      Lookup lookup,
      const std::function<void(std::string_view key, std::string_view value)>& visit) = 0;

  virtual Result<void> commit(const WriteModelBatch& batch) = 0;
};

}  // namespace clientele::commands
