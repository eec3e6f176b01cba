#pragma once
// Writes events as the command layer does: wrapped in an envelope with the next version of their
// stream, sealed with the customer's key, appended to the log. For tests that need a history.

#include <gtest/gtest.h>

#include <map>
#include <span>
#include <string>

#include "events/codec.hpp"
#include "events/event_log.hpp"
#include "events/sealing.hpp"
#include "infra/clock.hpp"
#include "infra/uuid.hpp"

namespace clientele::testing {

class HistoryWriter {
 public:
  // `log` and `keys` must outlive the writer.
  HistoryWriter(events::EventLog& log, events::KeyStore& keys) : log_(log), keys_(keys) {}

  // Appends `body` about `customer` to `stream`, acted by the customer; returns its position.
  events::Position append(const CustomerId& customer, const std::string& stream,
                          events::Body body) {
    return append(customer, stream, std::move(body), Actor{UserId(customer.str()), Role::Customer});
  }
  events::Position append(const CustomerId& customer, const std::string& stream, events::Body body,
                          const Actor& actor) {
    return append(customer, stream, std::move(body), actor, infra::utc_now());
  }
  // ... decided at `at`.
  events::Position append(const CustomerId& customer, const std::string& stream, events::Body body,
                          const Actor& actor, Timestamp at) {
    auto envelope = events::wrap(
        std::move(body),
        {infra::uuid_v7(at), stream, StreamVersion{++seq_[stream]}, customer, at, actor, "", ""});
    EXPECT_TRUE(events::seal(envelope, keys_).ok());
    sealed_ += envelope.sealed ? 1 : 0;
    const events::EncodedEvent encoded{envelope.id, envelope.type, envelope.v,
                                       events::to_wire(envelope).value()};
    auto positions = log_.append(customer.str(), std::span(&encoded, 1));
    EXPECT_TRUE(positions.ok()) << positions.error().message;
    return positions.ok() ? positions->front() : events::Position{};
  }
  // Appends a customer event to the customer's own stream.
  events::Position append(const CustomerId& customer, const customer::Event& event) {
    return append(customer, events::stream_name(customer), events::encode(event));
  }

  // How many of the events appended were sealed (had personal fields).
  std::size_t sealed() const { return sealed_; }

 private:
  events::EventLog& log_;                     // where the events go
  events::KeyStore& keys_;                    // the customers' keys
  std::map<std::string, std::uint64_t> seq_;  // the last version of each stream
  std::size_t sealed_ = 0;                    // events that had personal fields
};

}  // namespace clientele::testing
