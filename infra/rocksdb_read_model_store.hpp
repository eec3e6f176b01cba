#pragma once
// The ReadModelStore port on one RocksDB database (DESIGN.md §5): a column family per namespace,
// named Namespace::str(). Commits go to the write-ahead log unsynced. compact() leaves no copy
// of a removed or overwritten row in any file of the store (DESIGN.md §3): WAL files are not
// archived or recycled, and the MANIFEST, which records the first and last key of every table
// file, is rewritten on every change so that it names no key that is gone.

#include <filesystem>
#include <memory>

#include "projections/read_model_store.hpp"

namespace clientele::infra {

// Thread-safe, as the port says. The batches and snapshots it hands out refer to it: every one
// of them must be destroyed before the store is.
class RocksDbReadModelStore final : public projections::ReadModelStore {
 public:
  // Opens (or creates) the store in `directory` with every namespace it holds. errc::unavailable
  // when the database cannot be opened, e.g. because another process has it open.
  static Result<std::unique_ptr<RocksDbReadModelStore>> open(
      const std::filesystem::path& directory);
  // Opens the store in `directory` read-only, as a RocksDB secondary instance
  // (rocksdb_secondary.hpp) with its info log in `secondary_dir`, while another process — the
  // service — may hold it open. It catches up with that process once, here: every snapshot of it
  // sees that one moment. create(), drop(), commit(), compact() and settle() fail with
  // errc::unavailable. errc::not_found when `directory` holds no store; errc::unavailable when it
  // cannot be opened.
  static Result<std::unique_ptr<RocksDbReadModelStore>> open_secondary(
      const std::filesystem::path& directory, const std::filesystem::path& secondary_dir);
  // Closes the database. No batch or snapshot of the store may be alive.
  ~RocksDbReadModelStore() override;
  RocksDbReadModelStore(const RocksDbReadModelStore&) = delete;
  RocksDbReadModelStore& operator=(const RocksDbReadModelStore&) = delete;

  // errc::invalid when `ns` would not read back with parse_namespace.
  Result<void> create(const projections::Namespace& ns) override;
  // errc::not_found when the namespace does not exist.
  Result<void> drop(const projections::Namespace& ns) override;
  std::vector<projections::Namespace> namespaces() const override;

  // A batch reads what is committed at the moment of each read, not at one moment. Once
  // committed it keeps its writes: use a new batch for the next commit.
  std::unique_ptr<projections::WriteBatch> batch() override;
  // errc::invalid when `batch` does not come from this store. errc::not_found also when a
  // namespace the batch touched was dropped since.
  Result<void> commit(projections::WriteBatch& batch) override;

  std::shared_ptr<const projections::Snapshot> snapshot() override;

  // Flushes and compacts every namespace to the bottommost level. Namespaces cannot be created
  // or dropped meanwhile; commits can.
  Result<void> compact() override;
  Result<void> settle(const projections::Namespace& ns) override;

  struct Impl;

 private:
  explicit RocksDbReadModelStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;  // the database, its column families, the lock guarding them
};

}  // namespace clientele::infra
