#include "infra/scratch_dir.hpp"

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <string>

namespace clientele::infra {
namespace {

std::filesystem::path scratch_root(const std::filesystem::path& data_dir) {
  return data_dir / "scratch";
}

// Whether the process that made the directory `name` ("<pid>-XXXXXX") has ended.
bool abandoned(const std::string& name) {
  int pid = 0;
  const auto [end, err] = std::from_chars(name.data(), name.data() + name.size(), pid);
  if (err != std::errc() || end == name.data() + name.size() || *end != '-' || pid <= 0) {
    return false;  // not one of ours
  }
  return ::kill(pid, 0) != 0 && errno == ESRCH;
}

}  // namespace

void ScratchDir::remove_abandoned(const std::filesystem::path& data_dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(scratch_root(data_dir), ec)) {
    if (abandoned(entry.path().filename().string())) {
      std::error_code ignored;
      std::filesystem::remove_all(entry.path(), ignored);
    }
  }
}

Result<ScratchDir> ScratchDir::make(const std::filesystem::path& data_dir) {
  remove_abandoned(data_dir);
  const auto root = scratch_root(data_dir);
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec) {
    return make_error(errc::unavailable, "",
                      "cannot create " + root.string() + ": " + ec.message());
  }
  std::string pattern = (root / (std::to_string(::getpid()) + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {  // mode 0700
    return make_error(errc::unavailable, "",
                      "cannot create a scratch directory in " + root.string());
  }
  return ScratchDir(std::filesystem::path(pattern));
}

ScratchDir::ScratchDir(ScratchDir&& other) noexcept : path_(std::move(other.path_)) {
  other.path_.reset();
}

ScratchDir::~ScratchDir() {
  if (!path_) return;
  std::error_code ignored;
  std::filesystem::remove_all(*path_, ignored);
}

}  // namespace clientele::infra
