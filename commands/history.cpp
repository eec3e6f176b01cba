#include "commands/history.hpp"

#include <chrono>

namespace clientele::commands {

Result<std::vector<StoredEvent>> customer_events(events::EventReader& log,
                                                 events::Partition partition,
                                                 const CustomerId& customer) {
  auto cursor = log.open_cursor(partition, events::Offset{0});
  if (!cursor) return cursor.error();
  std::vector<StoredEvent> out;
  for (;;) {
    auto records = (*cursor)->next(1024, std::chrono::milliseconds(0));
    if (!records) return records.error();
    if (records->empty()) return out;
    for (auto& record : *records) {
      if (record.key != customer.str()) continue;
      auto envelope = events::parse_envelope(record.payload);
      if (!envelope) return envelope.error();
      out.push_back(StoredEvent{record.position, std::move(*envelope)});
    }
  }
}

events::Envelope without_personal_fields(const events::Envelope& envelope) {
  events::Envelope copy = envelope;
  copy.sealed.reset();
  copy.personal = nullptr;
  copy.erased = true;
  return copy;
}

}  // namespace clientele::commands
