#include "infra/rocksdb_secondary.hpp"

#include <chrono>
#include <thread>

namespace clientele::infra {
namespace {

// How often, and how far apart, opening is tried while the primary changes its files.
constexpr int kAttempts = 20;
constexpr std::chrono::milliseconds kPause{50};

// Closes a database whose catch-up failed, with its handles.
void close(rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*>& handles) {
  for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
  handles.clear();
  db->Close();
  delete db;
}

}  // namespace

Result<void> open_rocksdb_secondary(rocksdb::DBOptions options,
                                    const std::filesystem::path& directory,
                                    const std::filesystem::path& secondary_dir,
                                    const ListFamilies& families,
                                    std::vector<rocksdb::ColumnFamilyHandle*>* handles,
                                    std::unique_ptr<rocksdb::DB>* db) {
  std::error_code ec;
  if (!std::filesystem::exists(directory / "CURRENT", ec)) {
    return make_error(errc::not_found, "", "there is no database at " + directory.string());
  }
  std::filesystem::create_directories(secondary_dir, ec);
  if (ec) {
    return make_error(errc::unavailable, "",
                      "cannot create " + secondary_dir.string() + ": " + ec.message());
  }
  options.max_open_files = -1;
  options.create_if_missing = false;
  rocksdb::Status status;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(kPause);
    auto descriptors = families();
    if (!descriptors) return descriptors.error();
    rocksdb::DB* opened = nullptr;
    handles->clear();
    status = rocksdb::DB::OpenAsSecondary(options, directory.string(), secondary_dir.string(),
                                          *descriptors, handles, &opened);
    if (!status.ok()) continue;
    status = opened->TryCatchUpWithPrimary();
    if (!status.ok()) {
      close(opened, *handles);
      continue;
    }
    db->reset(opened);
    return success();
  }
  return make_error(errc::unavailable, "",
                    "cannot open " + directory.string() + " read-only: " + status.ToString());
}

}  // namespace clientele::infra
