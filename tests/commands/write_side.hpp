#pragma once
// The write side as the service opens it, for the tests of its application services: the real
// embedded log (4 partitions), the real write-side store and key store in a temporary directory,
// the command bus, and the customer, order and complaint services over it, with ids drawn in
// sequence.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "commands/complaint_commands.hpp"
#include "commands/customer_commands.hpp"
#include "commands/order_commands.hpp"
#include "events/codec.hpp"
#include "events/envelope.hpp"
#include "events/sealing.hpp"
#include "infra/embedded_event_log.hpp"
#include "infra/rocksdb_auth_store.hpp"
#include "infra/rocksdb_write_model.hpp"
#include "infra/uuid.hpp"
#include "tests/support/memory_key_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace clientele::commands {

inline const Actor kAdmin{UserId("ADM_1"), Role::Administrator};

inline Actor as_customer(const CustomerId& id) {
  return Actor{UserId(id.str()), Role::Customer};
}

inline PostalAddress address(std::string line1 = "1 Analytical Way") {
  return PostalAddress{"Ada Lovelace", "", std::move(line1), "", "London", "", "NW1 1AA", "GB"};
}

class WriteSideTest : public ::testing::Test {
 protected:
  WriteSideTest() {
    log_ = std::move(infra::EmbeddedEventLog::open({dir_.path() / "events", 4}).value());
    open_write_side();
  }

  void close_write_side() {
    complaints_.reset();
    orders_.reset();
    customers_.reset();
    bus_.reset();
    store_.reset();
  }

  // Opens the write side afresh over the same log, as the service does when it starts.
  void open_write_side() {
    close_write_side();
    store_ = std::move(infra::RocksDbWriteModel::open(dir_.path() / "commands").value());
    bus_ = std::make_unique<CommandBus>(*log_, keys_, *store_, pepper_, infra::uuid_v7);
    const auto clock = [this] { return now_; };
    customers_ = std::make_unique<CustomerCommands>(*bus_, clock, [this] {
      char text[16];
      std::snprintf(text, sizeof text, "CUST_%08x", ++customer_number_);
      return CustomerId(text);
    });
    orders_ = std::make_unique<OrderCommands>(*bus_, clock);
    complaints_ = std::make_unique<ComplaintCommands>(
        *bus_, *administrators_, clock, [this] { return next_complaint_id(); },
        [this] { return next_comment_id(); });
  }

  // The complaint ids given out, in turn: the queued ones first (to test repeats), then fresh.
  ComplaintId next_complaint_id() {
    if (!queued_complaint_ids_.empty()) {
      auto id = queued_complaint_ids_.front();
      queued_complaint_ids_.erase(queued_complaint_ids_.begin());
      return id;
    }
    char text[24];
    std::snprintf(text, sizeof text, "CMP_%016x", ++complaint_number_);
    return ComplaintId(text);
  }
  CommentId next_comment_id() {
    if (!queued_comment_ids_.empty()) {
      auto id = queued_comment_ids_.front();
      queued_comment_ids_.erase(queued_comment_ids_.begin());
      return id;
    }
    char text[16];
    std::snprintf(text, sizeof text, "CMT_%08x", ++comment_number_);
    return CommentId(text);
  }

  CustomerId must_register() {
    customer::Register r;
    r.email = "c" + std::to_string(customer_number_ + 1) + "@example.com";
    r.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";
    r.first_name = "Ada";
    r.last_name = "Lovelace";
    auto registered = customers_->register_customer(r, Actor{UserId("anonymous"), Role::System});
    EXPECT_TRUE(registered.ok()) << registered.error().message;
    return registered.ok() ? registered->customer_id : CustomerId();
  }

  void must_run(const CustomerId& customer, const customer::Command& command) {
    auto done = customers_->execute(customer, command, kAdmin);
    ASSERT_TRUE(done.ok()) << done.error().message;
  }

  PlaceOrder request(const CustomerId& customer, DeliveryAddress delivery = address()) {
    PlaceOrder out;
    out.customer_id = customer;
    out.items = {order::ItemRequest{ProductId("SKU-1"), "Difference Engine", 2, 1250}};
    out.currency = "GBP";
    out.delivery_address = std::move(delivery);
    return out;
  }

  Result<Placement> place(const CustomerId& customer, DeliveryAddress delivery = address()) {
    return orders_->place(request(customer, std::move(delivery)), as_customer(customer));
  }

  OrderId must_place(const CustomerId& customer) {
    auto placed = place(customer);
    EXPECT_TRUE(placed.ok()) << placed.error().message;
    return placed.ok() ? placed->order_id : OrderId();
  }

  Result<Outcome> run(const CustomerId& customer, const OrderId& order,
                      const order::Command& command) {
    return orders_->execute(customer, order, command, kAdmin);
  }

  void must_step(const CustomerId& customer, const OrderId& order, order::Status to) {
    auto done = run(customer, order, order::ChangeStatus{to, ""});
    ASSERT_TRUE(done.ok()) << done.error().message;
  }

  order::Status status_of(const CustomerId& customer, const OrderId& order) {
    return orders_->load(customer, order).value().state.status;
  }

  // The order.placed of `order`, opened.
  order::Placed placed_event(const OrderId& order) {
    auto wires = store_->stream(events::stream_name(order)).value();
    EXPECT_FALSE(wires.empty());
    auto envelope = events::parse_envelope(wires.front()).value();
    EXPECT_TRUE(events::open(envelope, keys_).ok());
    return std::get<order::Placed>(events::decode<order::Event>(envelope).value());
  }

  testing::TempDir dir_;
  events::SecretKey pepper_ = events::SecretKey::random();
  testing::MemoryKeyStore keys_;
  Timestamp now_ = std::chrono::sys_days{std::chrono::year{2026} / 3 / 1} + std::chrono::hours(10);
  unsigned customer_number_ = 0;
  unsigned complaint_number_ = 0;
  unsigned comment_number_ = 0;
  std::vector<ComplaintId> queued_complaint_ids_;
  std::vector<CommentId> queued_comment_ids_;
  std::unique_ptr<infra::EmbeddedEventLog> log_;
  std::unique_ptr<infra::RocksDbAuthStore> administrators_ =
      infra::RocksDbAuthStore::open(dir_.path() / "auth", events::SecretKey::random()).value();
  std::unique_ptr<infra::RocksDbWriteModel> store_;
  std::unique_ptr<CommandBus> bus_;
  std::unique_ptr<CustomerCommands> customers_;
  std::unique_ptr<OrderCommands> orders_;
  std::unique_ptr<ComplaintCommands> complaints_;
};

// The result is the error `code` naming `field`.
template <class T>
void expect_error(const Result<T>& result, errc code, std::string_view field) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, code) << result.error().message;
  EXPECT_EQ(result.error().field, field);
}

}  // namespace clientele::commands
