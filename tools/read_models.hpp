#pragma once
// The service's read models (DESIGN.md §5) as the subcommands open them: the read-model store in
// DATA/views and every read model the projector folds into it.

#include <filesystem>
#include <memory>
#include <vector>

#include "events/crypto.hpp"
#include "infra/rocksdb_read_model_store.hpp"
#include "projections/address_book.hpp"
#include "projections/audit_timeline.hpp"
#include "projections/commerce_analytics.hpp"
#include "projections/complaints.hpp"
#include "projections/customer_analytics.hpp"
#include "projections/customer_list.hpp"
#include "projections/customer_profile.hpp"
#include "projections/customer_search.hpp"
#include "projections/orders.hpp"

namespace clientele::tools {

struct ReadModels {
  // Opens the store in `data_dir`/views; `pepper` keys the hashes in the models' keys.
  static Result<std::unique_ptr<ReadModels>> open(const std::filesystem::path& data_dir,
                                                  const events::SecretKey& pepper);
  // Opens the store in `data_dir`/views read-only, as a secondary instance with its info log in
  // `secondary_dir`, while the service may hold it (RocksDbReadModelStore::open_secondary): it
  // sees the read models as they are at this call. A store that does not exist yet is made empty
  // first, as the service would on its first start.
  static Result<std::unique_ptr<ReadModels>> open_secondary(
      const std::filesystem::path& data_dir, const events::SecretKey& pepper,
      const std::filesystem::path& secondary_dir);

  // Every read model, for the projector.
  std::vector<const projections::ReadModel*> all() const;

  std::unique_ptr<infra::RocksDbReadModelStore> store;  // DATA/views
  projections::CustomerProfiles profiles;
  projections::AddressBook addresses;
  projections::AuditTimeline timeline;
  projections::CustomerList list;
  projections::CustomerSearch search;
  projections::CustomerAnalytics analytics;
  projections::Orders orders;
  projections::CommerceAnalytics commerce;
  projections::Complaints complaints;
};

}  // namespace clientele::tools
