#pragma once
// What every store on RocksDB shares: its directory made before it opens, and the one mapping of
// a failed RocksDB call to an Error (the store cannot be used right now, with RocksDB's reason,
// which names files, never data).

#include <rocksdb/status.h>

#include <filesystem>
#include <string>

#include "domain/result.hpp"

namespace clientele::infra {

inline Error rocksdb_unavailable(const std::string& what, const rocksdb::Status& status) {
  return make_error(errc::unavailable, "", what + ": " + status.ToString());
}

// Makes `directory` (and its parents) for a store. errc::unavailable when it cannot.
inline Result<void> make_store_directory(const std::filesystem::path& directory) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) {
    return make_error(errc::unavailable, "",
                      "cannot create " + directory.string() + ": " + ec.message());
  }
  return success();
}

}  // namespace clientele::infra
