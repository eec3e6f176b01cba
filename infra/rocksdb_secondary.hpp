#pragma once
// Read-only access to a RocksDB database that another process — the running service — may hold
// open (DESIGN.md §7): a secondary instance. Internal to infra; the stores' open_secondary()
// functions are built on it.
//
// What a secondary instance of RocksDB 7.8 supports, and what follows for its users:
//   - Get and iterators, but no snapshots: an iterator with ReadOptions::snapshot set fails
//     (NotSupported), Get ignores it, and tailing iterators fail. Every read sees the state of the
//     last catch-up (TryCatchUpWithPrimary), which only the caller can advance. So one catch-up,
//     then all reads, gives reads that all see one moment of the primary — the stores here catch
//     up once, when opened, and never again: a later moment is another secondary instance.
//   - No writes, flushes or compactions (they fail).
//   - Column families that the primary creates after the secondary opened are not seen; those it
//     drops stay readable through handles already held.
//   - options.max_open_files must be -1: every table file is opened at the catch-up, so a file
//     the primary compacts away and deletes later stays readable through its open descriptor.
//   - The primary writes a new MANIFEST now and then (the read-model store at every change) and
//     deletes the old one; a secondary that reads CURRENT just then fails (TryAgain, or a file not
//     found) and must try again.
// A secondary instance writes only its info log, into its own directory (`secondary_dir`); it
// never creates a file in the primary's directory.

#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "domain/result.hpp"

namespace clientele::infra {

// The column families to open, listed anew for every attempt (the primary may drop one meanwhile).
using ListFamilies = std::function<Result<std::vector<rocksdb::ColumnFamilyDescriptor>>()>;

// Opens the database in `directory` as a secondary instance with its info log in `secondary_dir`
// (created if missing) and catches it up with the primary once, trying again a few times when the
// primary changes its files meanwhile. On success `*db` holds the database and `*handles` one
// handle per family that `families` listed, in that order, owned by the caller (destroy them with
// DestroyColumnFamilyHandle before closing the database). errc::not_found when `directory` holds
// no database; errc::unavailable, with RocksDB's reason, when it cannot be opened.
Result<void> open_rocksdb_secondary(rocksdb::DBOptions options,
                                    const std::filesystem::path& directory,
                                    const std::filesystem::path& secondary_dir,
                                    const ListFamilies& families,
                                    std::vector<rocksdb::ColumnFamilyHandle*>* handles,
                                    std::unique_ptr<rocksdb::DB>* db);

}  // namespace clientele::infra
