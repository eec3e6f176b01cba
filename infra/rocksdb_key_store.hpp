#pragma once
// The KeyStore port on its own RocksDB database (DESIGN.md §3). Each customer's DEK is stored
// wrapped (XChaCha20-Poly1305) by the key-encryption key (KEK), which never touches the store.
// Destroying a DEK deletes it, flushes, and compacts the whole key column family to the
// bottommost level, so that no file of the store keeps a copy: WAL files are not archived or
// recycled, and the store takes no snapshots or checkpoints.

#include <filesystem>
#include <memory>

#include "events/key_store.hpp"

namespace clientele::infra {

class RocksDbKeyStore final : public events::KeyStore {
 public:
  // Opens (or creates) the store in `directory` with `kek`. A new store records a check value
  // of its KEK; opening it with another KEK is errc::invalid ("wrong key-encryption key"),
  // never a silent new key. errc::unavailable when the database cannot be opened.
  static Result<std::unique_ptr<RocksDbKeyStore>> open(const std::filesystem::path& directory,
                                                       events::SecretKey kek);
  // Opens the store in `directory` read-only, as a RocksDB secondary instance
  // (rocksdb_secondary.hpp) with its info log in `secondary_dir`, while another process — the
  // service — may hold it open. It catches up with that process once, here, and sees the keys as
  // they were then. Making or destroying a key fails with errc::unavailable. errc::not_found when
  // there is no store in `directory`; errc::invalid for a wrong KEK, as for open().
  // Erasure (DESIGN.md §3): while open it holds the table files it read, so a key the primary
  // destroys meanwhile stays readable to this process (from a file no longer in the directory)
  // until it is closed. Keep it short-lived: the read-only subcommands close it when they end.
  static Result<std::unique_ptr<RocksDbKeyStore>> open_secondary(
      const std::filesystem::path& directory, events::SecretKey kek,
      const std::filesystem::path& secondary_dir);
  ~RocksDbKeyStore() override;
  RocksDbKeyStore(const RocksDbKeyStore&) = delete;
  RocksDbKeyStore& operator=(const RocksDbKeyStore&) = delete;

  Result<events::DataKeyPtr> key_for_sealing(const CustomerId& customer) override;
  Result<events::DataKeyPtr> key_for_opening(const CustomerId& customer,
                                             std::string_view key_id) override;
  Result<bool> destroy(const CustomerId& customer) override;
  Result<bool> is_destroyed(const CustomerId& customer) override;

  // The customer's wrapped DEK exactly as stored, or errc::not_found. For verification.
  Result<std::string> stored_key(const CustomerId& customer);

  struct Impl;

 private:
  explicit RocksDbKeyStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;  // the database, the KEK, the lock serializing key creation
};

}  // namespace clientele::infra
