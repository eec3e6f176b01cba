#pragma once
// Erasure by crypto-shredding (DESIGN.md §3): append `customer.erased` (nothing personal in it),
// then destroy the customer's key, after which none of the customer's sealed fields can be read
// again while the log itself stays as it was. The same operation serves `clientele erase` and
// (later) POST /api/v1/admin/erasures.

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "commands/history.hpp"
#include "domain/context.hpp"
#include "domain/customer.hpp"
#include "domain/ids.hpp"
#include "domain/result.hpp"
#include "events/event_log.hpp"
#include "events/key_store.hpp"

namespace clientele::commands {

struct ErasureRequest {
  CustomerId customer_id;
  std::string reason_code;   // e.g. "gdpr-art17"
  std::string legal_basis;   // e.g. "GDPR Art. 17(1)(a)"
  std::string requested_by;  // the staff member's user id
};

// What compliance staff keep as proof.
struct ErasureReceipt {
  CustomerId customer_id;
  Timestamp erased_at;                       // when `customer.erased` was decided
  events::Position position;                 // where `customer.erased` is in the log
  bool key_destroyed = false;                // the customer's key is gone
  std::size_t sealed_events_unreadable = 0;  // sealed events of the customer, now unreadable
  std::string reason_code;
  std::string legal_basis;
  std::string requested_by;
  bool already_erased = false;  // this request found the customer erased before
};
nlohmann::json to_json(const ErasureReceipt& receipt);
// The receipt to_json() wrote; errc::corrupt for anything else.
Result<ErasureReceipt> receipt_from_json(const nlohmann::json& json);

// What `clientele erase --verify` checks.
struct ErasureCheck {
  CustomerId customer_id;
  bool erased_event_found = false;  // `customer.erased` is in the log
  bool key_destroyed = false;       // the key store says the key was destroyed
  std::size_t sealed_events = 0;    // sealed events of the customer in the log
  std::size_t still_readable = 0;   // of those, how many still open (must be 0)
  bool passed() const { return erased_event_found && key_destroyed && still_readable == 0; }
};
nlohmann::json to_json(const ErasureCheck& check);

class ErasureService {
 public:
  using Clock = std::function<Timestamp()>;
  using NewEventId = std::function<std::string(Timestamp)>;
  // Removes what a store outside the log and the read models holds about an erased customer (the
  // outbox of codes in flight, the sessions). Idempotent: a repeated erasure runs it again.
  using Forget = std::function<Result<void>(const CustomerId&)>;

  // Appends `customer.erased` for a customer that is not erased yet. Where command strands run
  // (`clientele serve`) it must go through them (CustomerCommands), which decide it against the
  // stream as they know it; without it the service appends to the log itself, which is right only
  // when nothing else writes (`clientele erase` has the installation to itself).
  using Record =
      std::function<Result<void>(const CustomerId&, const customer::Erase&, const Actor&)>;

  // All four must outlive the service. `forget` runs, in order, after the key is destroyed.
  ErasureService(events::EventLog& log, events::KeyStore& keys, Clock clock, NewEventId new_id,
                 std::vector<Forget> forget = {}, Record record = nullptr);

  // Erases the customer. A customer erased before is not erased again: the receipt of the first
  // erasure comes back (already_erased), after making sure its key is gone. errc::not_found for
  // an unknown customer; errc::invalid (naming the field) for a malformed request.
  Result<ErasureReceipt> erase(const ErasureRequest& request, const Actor& actor);

  // Checks that the customer's key is gone and that none of its sealed events opens.
  Result<ErasureCheck> verify(const CustomerId& customer);

 private:
  events::EventLog& log_;       // where the customer's events are
  events::KeyStore& keys_;      // the customer's key
  Clock clock_;                 // the decision time
  NewEventId new_id_;           // event ids
  std::vector<Forget> forget_;  // the other places to clear
  Record record_;               // null: append to `log_` directly

  // Appends the customer.erased `decided` for a customer whose stream has `version` events, and
  // returns it as stored.
  Result<StoredEvent> append(const ErasureRequest& request, const customer::Event& decided,
                             std::uint64_t version, const Context& ctx);
};

}  // namespace clientele::commands
