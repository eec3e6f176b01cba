#pragma once
// Reading one customer's events back from the log. Until the command side keeps aggregate state
// in its own store (the REST API foundation issue), this scans the customer's partition.

#include <vector>

#include "domain/ids.hpp"
#include "domain/result.hpp"
#include "events/envelope.hpp"
#include "events/event_log.hpp"

namespace clientele::commands {

struct StoredEvent {
  events::Position position;
  events::Envelope envelope;  // as stored: personal fields still sealed
};

// Every event about `customer` (all streams), in log order. errc::corrupt if one does not parse.
Result<std::vector<StoredEvent>> customer_events(events::EventReader& log,
                                                 events::Partition partition,
                                                 const CustomerId& customer);

// A copy of `envelope` that decodes without its personal fields (they are left empty): enough
// for rules that look only at ids, statuses and flags.
events::Envelope without_personal_fields(const events::Envelope& envelope);

}  // namespace clientele::commands
