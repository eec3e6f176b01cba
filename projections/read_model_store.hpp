#pragma once
// The read-model store port (DESIGN.md §5): one database holding every read model. Each version
// of each read model lives in its own namespace ("profile.v3"; a column family in RocksDB), its
// rows and secondary indexes as key ranges inside it. Writes go in batches committed atomically,
// across namespaces, so a batch carries the rows of many events together with the checkpoint
// that covers them; reads go through snapshots, so a query sees one moment of every namespace.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/result.hpp"

namespace clientele::projections {

// One namespace: a read model's name and version, and which build of that version (a rebuild
// of the same version goes beside the live build, in a namespace of its own).
struct Namespace {
  std::string model;  // lower case letters, digits, '_' and '-'
  int version = 1;
  int build = 0;

  // "<model>.v<version>", or "<model>.v<version>.b<build>" for builds after the first: the
  // column family's name.
  std::string str() const;
  bool operator==(const Namespace&) const = default;
};

// Parses what Namespace::str() writes; nullopt for any other text.
std::optional<Namespace> parse_namespace(std::string_view text);

// Called for each key and value of a scan, in order; returns false to stop the scan.
using Visit = std::function<bool(std::string_view key, std::string_view value)>;

// The keys of a scan: [from, to) in byte order; an empty `to` means no upper bound.
struct KeyRange {
  std::string from;
  std::string to;

  // Every key starting with `prefix`.
  static KeyRange prefixed(std::string_view prefix);
};

// One atomic write. Reads through it see its own pending writes over what is committed.
// Not thread-safe: one writer per batch. Writing to a namespace that does not exist is
// reported by commit(), not here.
class WriteBatch {
 public:
  virtual ~WriteBatch() = default;

  virtual Result<std::optional<std::string>> get(const Namespace& ns, std::string_view key) = 0;
  virtual void put(const Namespace& ns, std::string_view key, std::string_view value) = 0;
  virtual void remove(const Namespace& ns, std::string_view key) = 0;
  // Visits the keys of `range`, pending writes merged over what is committed.
  virtual Result<void> scan(const Namespace& ns, const KeyRange& range, const Visit& visit) = 0;
  // The number of puts and removes so far.
  virtual std::size_t size() const = 0;
};

// Finds keys of one range of a snapshot, seek after seek, without starting a new read each time
// (search intersects many sorted lists this way). Not thread-safe; lives no longer than the
// snapshot it came from.
class Seeker {
 public:
  virtual ~Seeker() = default;

  // The first key of the range at or after `from`; nullopt when there is none.
  virtual Result<std::optional<std::string>> seek(std::string_view from) = 0;
};

// A consistent view of everything committed at the moment it was taken; later commits do not
// show. Thread-safe; keeps the data it sees alive, even past drop().
class Snapshot {
 public:
  virtual ~Snapshot() = default;

  // errc::not_found when the namespace did not exist when the snapshot was taken.
  virtual Result<std::optional<std::string>> get(const Namespace& ns,
                                                 std::string_view key) const = 0;
  virtual Result<void> scan(const Namespace& ns, const KeyRange& range,
                            const Visit& visit) const = 0;
  // Like scan, from the last key of `range` down to its first.
  virtual Result<void> scan_backward(const Namespace& ns, const KeyRange& range,
                                     const Visit& visit) const = 0;
  // errc::not_found when the namespace did not exist when the snapshot was taken.
  virtual Result<std::unique_ptr<Seeker>> seeker(const Namespace& ns,
                                                 const KeyRange& range) const = 0;
};

// Thread-safe. Commits of batches that write disjoint keys may run concurrently.
class ReadModelStore {
 public:
  virtual ~ReadModelStore() = default;

  // Makes the namespace if it does not exist yet. Idempotent.
  virtual Result<void> create(const Namespace& ns) = 0;
  // Deletes the namespace and everything in it. Snapshots taken before still read it.
  virtual Result<void> drop(const Namespace& ns) = 0;
  // The namespaces that exist, in no particular order.
  virtual std::vector<Namespace> namespaces() const = 0;

  virtual std::unique_ptr<WriteBatch> batch() = 0;
  // Applies every write of `batch` atomically: after a crash either all of it is there or none.
  // Not synced: the event log is the source of truth, and a lost batch loses its checkpoint
  // with it, so the projector folds those events again. errc::not_found when the batch writes
  // to a namespace that does not exist; nothing is applied then.
  virtual Result<void> commit(WriteBatch& batch) = 0;

  virtual std::shared_ptr<const Snapshot> snapshot() = 0;

  // Writes everything to disk and rewrites every file, so that nothing removed or overwritten
  // is left in any file of the store (erasure, DESIGN.md §3).
  virtual Result<void> compact() = 0;
  // Merges the files of `ns` after a bulk load (a rebuild), so that reads touch few of them.
  // Writes and reads may go on meanwhile.
  virtual Result<void> settle(const Namespace& ns) = 0;
};

}  // namespace clientele::projections
