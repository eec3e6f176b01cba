#pragma once
// What the `clientele bench` scenarios (bench.hpp) share: scratch directories, a key store as the
// service runs it, envelopes built and sealed as the command layer writes them, and latency
// percentiles. Not thread-safe unless a function says so.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "domain/context.hpp"
#include "domain/result.hpp"
#include "events/codec.hpp"
#include "events/key_store.hpp"
#include "infra/key_cache.hpp"
#include "infra/rocksdb_key_store.hpp"

namespace clientele::tools {

// The id of bench customer number `n` ("CUST_" + 8 hex digits; distinct for distinct `n`).
std::string customer_name(std::int64_t n);

// The envelope of `body` about `customer`, event `seq` of `stream`, decided now, as the command
// layer writes it (personal fields still in the clear). Thread-safe.
events::Envelope envelope_of(events::Body body, const std::string& stream, std::uint64_t seq,
                             const std::string& customer, const Actor& actor);

// The payload of `envelope` for the log: sealed with `keys` first when it is not null, which
// replaces the envelope's personal fields with their sealed block. Errors are the key store's.
// Thread-safe when `keys` is.
Result<std::string> payload_of(events::Envelope& envelope, events::KeyStore* keys);

// The `q`-quantile (0..1) of `sorted_us` (microseconds, ascending), in milliseconds; 0 when
// empty.
double percentile_ms(const std::vector<std::int64_t>& sorted_us, double q);

// A directory removed when the bench ends, unless the caller named one.
class ScratchDir {
 public:
  // `requested` when not empty (created if missing, kept); else a new directory in `parent`
  // (the system's temporary directory by default), removed by the destructor; an empty path
  // when it cannot be made (then whatever is opened in it fails).
  explicit ScratchDir(const std::string& requested,
                      const std::filesystem::path& parent = std::filesystem::temp_directory_path());
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;  // the directory
  bool owned_ = false;          // whether we made it (and so remove it)
};

// A scratch key store with a random KEK behind a key cache, as the service runs it.
struct BenchKeys {
  std::unique_ptr<infra::RocksDbKeyStore> store;  // DIR/keys
  std::unique_ptr<infra::CachingKeyStore> cache;  // in front of `store`: use this one
};

// Opens the key store in `directory` with a cache holding at least `cache_capacity` customers
// (and at least one), and makes the key of each of `customers` (before any clock starts: making
// a key is one synced write). Errors are the key store's.
Result<BenchKeys> open_keys(const std::filesystem::path& directory,
                            const std::vector<std::string>& customers, std::size_t cache_capacity);

}  // namespace clientele::tools
