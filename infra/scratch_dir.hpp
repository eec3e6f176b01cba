#pragma once
// Private working space for one run of a subcommand inside the installation's data directory:
// DATA/scratch/<pid>-XXXXXX, mode 0700. The read-only subcommands keep their RocksDB secondary
// instances' info logs there, and `projections verify` its freshly folded store, which holds
// personal data in the clear: hence inside the data directory, where the installation's data is,
// and removed as soon as the run ends — or, when the run was killed, by the next one.

#include <filesystem>
#include <optional>

#include "domain/result.hpp"

namespace clientele::infra {

class ScratchDir {
 public:
  // Makes a new scratch directory in `data_dir`, first removing those left by processes that no
  // longer run. errc::unavailable when it cannot be made.
  static Result<ScratchDir> make(const std::filesystem::path& data_dir);
  // Removes the directories in DATA/scratch whose process no longer runs (it was killed).
  static void remove_abandoned(const std::filesystem::path& data_dir);

  // Removes the directory with everything in it.
  ~ScratchDir();
  ScratchDir(ScratchDir&& other) noexcept;
  ScratchDir& operator=(ScratchDir&&) = delete;
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return *path_; }

 private:
  explicit ScratchDir(std::filesystem::path path) : path_(std::move(path)) {}

  std::optional<std::filesystem::path> path_;  // the directory; none once moved from
};

}  // namespace clientele::infra
