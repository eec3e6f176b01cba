#include "tools/read_models.hpp"

#include "infra/logging.hpp"

namespace clientele::tools {

Result<std::unique_ptr<ReadModels>> ReadModels::open(const std::filesystem::path& data_dir,
                                                     const events::SecretKey& pepper) {
  const auto directory = data_dir / "views";
  auto store = infra::RocksDbReadModelStore::open(directory);
  if (!store) return store.error();
  infra::log_info("read models opened", {{"path", directory.string()}});
  return std::unique_ptr<ReadModels>(
      new ReadModels{std::move(*store),
                     projections::CustomerProfiles(events::SecretKey(pepper.bytes())),
                     {},
                     {},
                     projections::CustomerList(events::SecretKey(pepper.bytes())),
                     projections::CustomerSearch(pepper),
                     {}});
}

std::vector<const projections::ReadModel*> ReadModels::all() const {
  return {&profiles, &addresses, &timeline, &list, &search, &analytics};
}

}  // namespace clientele::tools
