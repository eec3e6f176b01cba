#pragma once
// The write side's store (commands/write_model.hpp) on its own RocksDB database, DATA/commands.
// One column family; the first byte of a key says what the row is:
//   's' <stream> 0x00 <seq, 8 bytes big-endian>  the event as in the log
//   'p' <partition, 4 bytes big-endian>           the next offset to apply, in decimal
//   'l' <lookup tag> <key>                        a lookup (keys are hashes or ids)

#include <filesystem>
#include <memory>

#include "commands/write_model.hpp"

namespace clientele::infra {

class RocksDbWriteModel final : public commands::WriteModelStore {
 public:
  // Opens (or creates) the store in `directory`. errc::unavailable when it cannot be opened.
  static Result<std::unique_ptr<RocksDbWriteModel>> open(const std::filesystem::path& directory);
  ~RocksDbWriteModel() override;
  RocksDbWriteModel(const RocksDbWriteModel&) = delete;
  RocksDbWriteModel& operator=(const RocksDbWriteModel&) = delete;

  Result<events::Offset> applied(events::Partition partition) override;
  Result<std::vector<std::string>> stream(std::string_view stream) override;
  Result<std::optional<std::string>> find(commands::Lookup lookup, std::string_view key) override;
  Result<void> scan(
      commands::Lookup lookup,
      const std::function<void(std::string_view key, std::string_view value)>& visit) override;
  Result<void> commit(const commands::WriteModelBatch& batch) override;

  struct Impl;

 private:
  explicit RocksDbWriteModel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace clientele::infra
