#pragma once
// The projector's world for read-model tests: the real embedded log, in-memory keys, the real
// RocksDB read-model store and every customer read model, in one temporary directory.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "infra/embedded_event_log.hpp"
#include "infra/rocksdb_read_model_store.hpp"
#include "projections/address_book.hpp"
#include "projections/audit_timeline.hpp"
#include "projections/customer_list.hpp"
#include "projections/customer_profile.hpp"
#include "projections/projector.hpp"
#include "tests/support/history_writer.hpp"
#include "tests/support/memory_key_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace clientele::projections {

inline const CustomerId kAda("CUST_0000ada1");
inline const CustomerId kBob("CUST_0000b0b1");

inline constexpr std::int32_t kPartitions = 4;

inline customer::Registered registration(const CustomerId& id, const std::string& marker) {
  customer::Registered r;
  r.customer_id = id;
  r.username = "user" + marker;
  r.email = marker + "@Example.com";
  r.first_name = marker + "First";
  r.last_name = marker + "Last";
  r.phone = "+4915112345678";
  r.gender = customer::Gender::Female;
  return r;
}

inline customer::AddressAdded address(const std::string& id, const std::string& marker) {
  return customer::AddressAdded{AddressId(id), marker + "alias", AddressKind::Home,
                                PostalAddress{marker + " Recipient", "", marker + " Street 1", "",
                                              marker + "ville", "", "", "DE"}};
}

// A log, its keys, a read-model store and the customer read models, in one directory.
class ReadModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = std::move(infra::EmbeddedEventLog::open({dir_.path() / "events", kPartitions}).value());
    open_store();
    writer_ = std::make_unique<testing::HistoryWriter>(*log_, *keys_);
  }

  void open_store() {
    store_.reset();
    auto store = infra::RocksDbReadModelStore::open(dir_.path() / "views");
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
  }

  std::vector<const ReadModel*> models() const {
    return {&profiles_, &addresses_, &timeline_, &list_};
  }

  std::unique_ptr<Projector> projector(std::vector<const ReadModel*> models,
                                       ProjectorOptions options = {}) {
    options.workers = 2;
    return std::make_unique<Projector>(*log_, *keys_, *store_, std::move(models),
                                       std::move(options));
  }

  void catch_up(std::vector<const ReadModel*> models) {
    auto done = projector(std::move(models))->catch_up();
    ASSERT_TRUE(done.ok()) << done.error().message;
  }

  nlohmann::json profile(const CustomerId& id) {
    auto found = profiles_.find(*store_->snapshot(), profiles_.ns(), id);
    EXPECT_TRUE(found.ok());
    return found.ok() && *found ? **found : nlohmann::json();
  }

  testing::TempDir dir_;
  std::unique_ptr<infra::EmbeddedEventLog> log_;
  std::unique_ptr<events::KeyStore> keys_ = std::make_unique<testing::MemoryKeyStore>();
  std::unique_ptr<infra::RocksDbReadModelStore> store_;
  std::unique_ptr<testing::HistoryWriter> writer_;
  CustomerProfiles profiles_{events::SecretKey::random()};
  AddressBook addresses_;
  AuditTimeline timeline_;
  CustomerList list_{events::SecretKey::random()};
};

}  // namespace clientele::projections
