#include "tools/read_models.hpp"

#include "infra/logging.hpp"
#include "tools/installation.hpp"

namespace clientele::tools {
namespace {

std::unique_ptr<ReadModels> models_on(std::unique_ptr<infra::RocksDbReadModelStore> store,
                                      const events::SecretKey& pepper) {
  return std::unique_ptr<ReadModels>(
      new ReadModels{std::move(store),
                     projections::CustomerProfiles(events::SecretKey(pepper.bytes())),
                     {},
                     {},
                     projections::CustomerList(events::SecretKey(pepper.bytes())),
                     projections::CustomerSearch(pepper),
                     {},
                     {},
                     {},
                     {}});
}

}  // namespace

Result<std::unique_ptr<ReadModels>> ReadModels::open(const std::filesystem::path& data_dir,
                                                     const events::SecretKey& pepper) {
  const auto directory = data_dir / "views";
  auto store = infra::RocksDbReadModelStore::open(directory);
  if (!store) return store.error();
  infra::log_info("read models opened", {{"path", directory.string()}});
  return models_on(std::move(*store), pepper);
}

Result<std::unique_ptr<ReadModels>> ReadModels::open_secondary(
    const std::filesystem::path& data_dir, const events::SecretKey& pepper,
    const std::filesystem::path& secondary_dir) {
  const auto directory = data_dir / "views";
  auto store = open_read_only<infra::RocksDbReadModelStore>(
      [&] { return infra::RocksDbReadModelStore::open_secondary(directory, secondary_dir); },
      [&] { return infra::RocksDbReadModelStore::open(directory); });
  if (!store) return store.error();
  return models_on(std::move(*store), pepper);
}

std::vector<const projections::ReadModel*> ReadModels::all() const {
  return {&profiles,  &addresses, &timeline, &list,      &search,
          &analytics, &orders,    &commerce, &complaints};
}

}  // namespace clientele::tools
