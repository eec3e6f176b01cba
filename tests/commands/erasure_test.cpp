// Erasure by crypto-shredding, on the real event log and key store, down to the bytes on disk.

#include "commands/erasure.hpp"

#include <gtest/gtest.h>

#include "domain/customer.hpp"
#include "domain/order.hpp"
#include "events/codec.hpp"
#include "events/sealing.hpp"
#include "infra/clock.hpp"
#include "infra/embedded_event_log.hpp"
#include "infra/key_cache.hpp"
#include "infra/rocksdb_key_store.hpp"
#include "infra/secrets.hpp"
#include "infra/uuid.hpp"
#include "tests/support/files.hpp"
#include "tests/support/history_writer.hpp"
#include "tests/support/memory_key_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace clientele::commands {
namespace {

using testing::files_containing;
using testing::TempDir;

const CustomerId kAda("CUST_0000ada1");
const CustomerId kBob("CUST_0000b0b1");
const std::string kMarker = "Zq7xPIImark";  // in every personal value of Ada's

Actor staff() {
  return Actor{UserId("ADM_0042"), Role::Administrator};
}

ErasureRequest request_for(const CustomerId& customer) {
  return {customer, "gdpr-art17", "GDPR Art. 17(1)(a)", "ADM_0042"};
}

// Ada's (or Bob's) history: registration, an address, an order delivered to it. Every personal
// value carries `marker`.
std::vector<std::pair<std::string, events::Body>> history_of(const CustomerId& customer,
                                                             const std::string& marker) {
  customer::Registered registered;
  registered.customer_id = customer;
  registered.username = "user" + customer.str().substr(5);
  registered.email = marker + "@example.com";
  registered.first_name = marker + "First";
  registered.last_name = marker + "Last";
  registered.phone = "+4420" + std::to_string(std::hash<std::string>{}(marker) % 100000000);
  const PostalAddress home{
      marker + " Recipient", "", marker + " 1 High Street", "", marker + "ton", "", "", "GB"};
  customer::AddressAdded address{AddressId("ADDR-1"), marker + "home", AddressKind::Home, home};
  order::Placed placed{OrderId("ORD-2026-" + customer.str().substr(5, 6)),
                       customer,
                       {order::Item{ProductId("SKU-1"), "Kettle", 1, 2500, 2500}},
                       "GBP",
                       2500,
                       home};
  return {{events::stream_name(customer), events::encode(customer::Event{registered})},
          {events::stream_name(customer), events::encode(customer::Event{address})},
          {events::stream_name(placed.order_id), events::encode(order::Event{placed})}};
}

// Seals and appends `customer`'s history; returns how many events were sealed.
std::size_t write_history(events::EventLog& log, events::KeyStore& keys, const CustomerId& customer,
                          const std::string& marker) {
  testing::HistoryWriter writer(log, keys);
  for (auto& [stream, body] : history_of(customer, marker))
    writer.append(customer, stream, std::move(body));
  return writer.sealed();
}

// One installation on disk, as `clientele` opens it.
struct Installation {
  explicit Installation(const std::filesystem::path& data) {
    auto secrets = infra::load_secrets({data, "", "", "", ""});
    EXPECT_TRUE(secrets.ok());
    log = std::move(infra::EmbeddedEventLog::open({data / "events", 4}).value());
    store = std::move(infra::RocksDbKeyStore::open(data / "keys", std::move(secrets->kek)).value());
    keys = std::make_unique<infra::CachingKeyStore>(*store, 100);
    service = std::make_unique<ErasureService>(*log, *keys, infra::utc_now, infra::uuid_v7);
  }

  std::unique_ptr<infra::EmbeddedEventLog> log;
  std::unique_ptr<infra::RocksDbKeyStore> store;
  std::unique_ptr<infra::CachingKeyStore> keys;
  std::unique_ptr<ErasureService> service;
};

TEST(Erasure, NoFileKeepsTheKeyOrAnyPersonalValueOfAnErasedCustomer) {
  TempDir root;
  const auto data = root.path() / "var";
  const std::vector<std::filesystem::path> everywhere{data, infra::dev_keys_dir(data)};
  std::string wrapped_key;
  {
    Installation installation(data);
    write_history(*installation.log, *installation.keys, kAda, kMarker);
    write_history(*installation.log, *installation.keys, kBob, "BobMarker9");
    wrapped_key = installation.store->stored_key(kAda).value();
  }
  // The scan works: the wrapped key is found on disk, and no personal value ever is.
  EXPECT_FALSE(files_containing(everywhere, wrapped_key).empty()) << "the scan cannot see the key";
  EXPECT_TRUE(files_containing(everywhere, kMarker).empty());
  {
    Installation installation(data);
    auto receipt = installation.service->erase(request_for(kAda), staff());
    ASSERT_TRUE(receipt.ok()) << receipt.error().message;
    EXPECT_TRUE(receipt->key_destroyed);
  }
  const auto key_left = files_containing(everywhere, wrapped_key);
  EXPECT_TRUE(key_left.empty()) << "the wrapped key is still in " << key_left.front();
  EXPECT_TRUE(files_containing(everywhere, kMarker).empty());
}

TEST(Erasure, TheReceiptSaysWhereTheErasureIsAndWhatBecameUnreadable) {
  TempDir root;
  Installation installation(root.path() / "var");
  const auto sealed = write_history(*installation.log, *installation.keys, kAda, kMarker);
  auto receipt = installation.service->erase(request_for(kAda), staff());
  ASSERT_TRUE(receipt.ok()) << receipt.error().message;
  EXPECT_EQ(receipt->customer_id, kAda);
  EXPECT_FALSE(receipt->already_erased);
  EXPECT_TRUE(receipt->key_destroyed);
  EXPECT_EQ(receipt->sealed_events_unreadable, sealed);
  EXPECT_EQ(receipt->position.partition, installation.log->partition_for(kAda.str()));
  EXPECT_EQ(receipt->reason_code, "gdpr-art17");

  auto cursor =
      installation.log->open_cursor(receipt->position.partition, receipt->position.offset);
  auto records = (*cursor)->next(1, std::chrono::milliseconds(0));
  ASSERT_EQ(records->size(), 1u);
  const auto erased = events::parse_envelope(records->front().payload).value();
  EXPECT_EQ(erased.type, "customer.erased");
  EXPECT_FALSE(erased.sealed.has_value()) << "customer.erased must carry nothing personal";
  EXPECT_EQ(erased.seq.value, 3u) << "after registration and address";
  EXPECT_EQ(erased.actor, staff());
  const auto json = commands::to_json(*receipt);
  EXPECT_EQ(json.value("position", ""), events::to_string(receipt->position));
  EXPECT_EQ(json.value("sealedEventsUnreadable", 0u), sealed);
}

TEST(Erasure, ErasingTwiceReportsTheFirstErasureAndAppendsNothing) {
  TempDir root;
  Installation installation(root.path() / "var");
  write_history(*installation.log, *installation.keys, kAda, kMarker);
  auto first = installation.service->erase(request_for(kAda), staff());
  ASSERT_TRUE(first.ok());
  const auto partition = first->position.partition;
  const auto end = installation.log->end_offset(partition).value();
  auto second = installation.service->erase(request_for(kAda), staff());
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_TRUE(second->already_erased);
  EXPECT_EQ(second->position, first->position);
  EXPECT_EQ(second->erased_at, first->erased_at);
  EXPECT_EQ(installation.log->end_offset(partition).value(), end);
}

TEST(Erasure, AfterwardsTheCustomersEventsOpenErasedAndOthersStayReadable) {
  TempDir root;
  Installation installation(root.path() / "var");
  write_history(*installation.log, *installation.keys, kAda, kMarker);
  write_history(*installation.log, *installation.keys, kBob, "BobMarker9");
  ASSERT_TRUE(installation.service->erase(request_for(kAda), staff()).ok());
  std::size_t ada_erased = 0, bob_open = 0;
  for (std::int32_t p = 0; p < installation.log->partition_count(); ++p) {
    auto cursor = installation.log->open_cursor(events::Partition{p}, events::Offset{0});
    auto records = (*cursor)->next(1000, std::chrono::milliseconds(0));
    ASSERT_TRUE(records.ok());
    for (auto& record : *records) {
      auto envelope = events::parse_envelope(record.payload).value();
      if (!envelope.sealed) continue;
      ASSERT_TRUE(events::open(envelope, *installation.keys).ok());
      if (envelope.customer_id == kAda) ada_erased += envelope.erased ? 1 : 0;
      if (envelope.customer_id == kBob && !envelope.erased) {
        ++bob_open;
        EXPECT_NE(envelope.personal.dump().find("BobMarker9"), std::string::npos);
      }
    }
  }
  EXPECT_EQ(ada_erased, 3u);
  EXPECT_EQ(bob_open, 3u);
}

TEST(Erasure, VerificationFailsBeforeAndPassesAfter) {
  TempDir root;
  Installation installation(root.path() / "var");
  write_history(*installation.log, *installation.keys, kAda, kMarker);
  auto before = installation.service->verify(kAda);
  ASSERT_TRUE(before.ok());
  EXPECT_FALSE(before->passed());
  EXPECT_EQ(before->still_readable, 3u);
  ASSERT_TRUE(installation.service->erase(request_for(kAda), staff()).ok());
  auto after = installation.service->verify(kAda);
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->passed());
  EXPECT_EQ(after->sealed_events, 3u);
  EXPECT_EQ(after->still_readable, 0u);
}

TEST(Erasure, AnUnknownCustomerIsNotFoundAndNothingIsAppended) {
  TempDir root;
  Installation installation(root.path() / "var");
  auto receipt = installation.service->erase(request_for(kAda), staff());
  ASSERT_FALSE(receipt.ok());
  EXPECT_EQ(receipt.error().code, errc::not_found);
  for (std::int32_t p = 0; p < installation.log->partition_count(); ++p)
    EXPECT_EQ(installation.log->end_offset(events::Partition{p})->value, 0);
  EXPECT_FALSE(*installation.keys->is_destroyed(kAda));
}

TEST(Erasure, AnIncompleteRequestNamesTheFieldAndChangesNothing) {
  TempDir root;
  Installation installation(root.path() / "var");
  write_history(*installation.log, *installation.keys, kAda, kMarker);
  auto request = request_for(kAda);
  request.legal_basis.clear();
  auto receipt = installation.service->erase(request, staff());
  ASSERT_FALSE(receipt.ok());
  EXPECT_EQ(receipt.error().code, errc::invalid);
  EXPECT_EQ(receipt.error().field, "legalBasis");
  EXPECT_FALSE(*installation.keys->is_destroyed(kAda));
  EXPECT_FALSE(installation.service->verify(kAda)->erased_event_found);
}

// A key store whose first destroy() fails, as if the process died between the append of
// customer.erased and the key's destruction.
class FailingOnceKeyStore final : public events::KeyStore {
 public:
  Result<events::DataKeyPtr> key_for_sealing(const CustomerId& c) override {
    return inner.key_for_sealing(c);
  }
  Result<events::DataKeyPtr> key_for_opening(const CustomerId& c, std::string_view kid) override {
    return inner.key_for_opening(c, kid);
  }
  Result<bool> destroy(const CustomerId& c) override {
    if (!failed_) {
      failed_ = true;
      return make_error(errc::unavailable, "", "disk full");
    }
    return inner.destroy(c);
  }
  Result<bool> is_destroyed(const CustomerId& c) override { return inner.is_destroyed(c); }

  testing::MemoryKeyStore inner;  // the real answers
 private:
  bool failed_ = false;  // whether destroy() has failed once
};

TEST(Erasure, ARetryAfterAnInterruptedErasureDestroysTheKey) {
  TempDir root;
  auto log = std::move(infra::EmbeddedEventLog::open({root.path() / "events", 2}).value());
  FailingOnceKeyStore keys;
  ErasureService service(*log, keys, infra::utc_now, infra::uuid_v7);
  write_history(*log, keys, kAda, kMarker);
  auto interrupted = service.erase(request_for(kAda), staff());
  ASSERT_FALSE(interrupted.ok());
  EXPECT_EQ(interrupted.error().code, errc::unavailable);
  auto retried = service.erase(request_for(kAda), staff());
  ASSERT_TRUE(retried.ok()) << retried.error().message;
  EXPECT_TRUE(retried->already_erased);
  EXPECT_TRUE(retried->key_destroyed);
  EXPECT_TRUE(service.verify(kAda)->passed());
}

}  // namespace
}  // namespace clientele::commands
