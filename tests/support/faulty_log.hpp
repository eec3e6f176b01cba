#pragma once
// An event log that passes everything to a real one, except that its appends can be made to fail
// in the two ways the port allows for (events/event_log.hpp: errc::unavailable, the outcome
// unknown): before anything is written (the log is down), or after the events were written (the
// acknowledgement was lost). For tests of the layers above the log.

#include <atomic>

#include "events/event_log.hpp"

namespace clientele::testing {

class FaultyLog final : public events::EventLog {
 public:
  enum class Fault { none, down, acknowledgement_lost };

  // `log` must outlive this one.
  explicit FaultyLog(events::EventLog& log) : log_(log) {}

  // How the appends from now on fail; Fault::none heals the log.
  void inject(Fault fault) { fault_ = fault; }

  events::Partition partition_for(std::string_view key) const override {
    return log_.partition_for(key);
  }

  Result<std::vector<events::Position>> append(
      std::string_view key, std::span<const events::EncodedEvent> events) override {
    switch (fault_.load()) {
      case Fault::none:
        return log_.append(key, events);
      case Fault::down:
        return make_error(errc::unavailable, "", "the event log is down (injected)");
      case Fault::acknowledgement_lost:
        if (auto appended = log_.append(key, events); !appended) return appended.error();
        return make_error(errc::unavailable, "", "the acknowledgement was lost (injected)");
    }
    return make_error(errc::unavailable, "", "unknown fault");
  }

  std::int32_t partition_count() const override { return log_.partition_count(); }

  Result<events::Offset> end_offset(events::Partition partition) override {
    return log_.end_offset(partition);
  }

  Result<std::unique_ptr<events::PartitionCursor>> open_cursor(events::Partition partition,
                                                               events::Offset from) override {
    return log_.open_cursor(partition, from);
  }

 private:
  events::EventLog& log_;
  std::atomic<Fault> fault_{Fault::none};
};

}  // namespace clientele::testing
