#pragma once
// One installation as the subcommands open it (DESIGN.md §7): the event log (DATA/events or Kafka),
// the key store in DATA/keys (with its key cache), and the secrets, from one set of options.

#include <memory>

#include "events/event_log.hpp"
#include "infra/key_cache.hpp"
#include "infra/rocksdb_key_store.hpp"
#include "infra/secrets.hpp"
#include "tools/options.hpp"

namespace clientele::tools {

struct Installation {
  infra::Secrets secrets;                             // KEK and blind-index pepper
  std::unique_ptr<events::EventLog> log;              // DATA/events, or Kafka
  std::unique_ptr<infra::RocksDbKeyStore> key_store;  // DATA/keys
  std::unique_ptr<infra::CachingKeyStore> keys;  // the key store behind its cache: use this one
};

// Loads the installation's secrets (infra/secrets.hpp). Errors name the option to fix.
Result<infra::Secrets> load_installation_secrets(const StoreOptions& options);
// Loads the key that signs access tokens (infra::load_jwt_secret), for the service that issues
// them. Errors name the option to fix.
Result<events::SecretKey> load_installation_jwt_secret(const StoreOptions& options);

// Opens everything, logging where each store is. Errors name the option to fix.
Result<Installation> open_installation(const StoreOptions& options);

// Opens the event log --event-log names: embedded in `data_dir`/events, or on Kafka.
Result<std::unique_ptr<events::EventLog>> open_event_log(const std::string& event_log,
                                                         const std::filesystem::path& data_dir,
                                                         std::int32_t partitions);

// ---- Read-only, beside the running service (DESIGN.md §7) ----------------------------------
// The read-only subcommands open the stores as RocksDB secondary instances (with their info logs
// in `secondary_dir`, which must differ per store), each seeing its store as it is when opened.
// Opened one after the other, they see successive moments: open the read models first, then the
// log, then the keys, so that the log holds every event the read models have folded and the key
// store every key those events were sealed with.

// Opens a store read-only with `open_secondary`; when there is none yet (errc::not_found), makes
// it empty with `create` — as the service would on its first start — and tries again.
template <class Store, class OpenSecondary, class Create>
Result<std::unique_ptr<Store>> open_read_only(const OpenSecondary& open_secondary,
                                              const Create& create) {
  auto store = open_secondary();
  if (store || store.error().code != errc::not_found) return store;
  if (auto made = create(); !made) return made.error();  // and closed again at once
  return open_secondary();
}

// The event log --event-log names, for reading: embedded in `data_dir`/events as a secondary
// instance (EmbeddedEventLog::open_secondary), or on Kafka, read directly.
Result<std::unique_ptr<events::EventReader>> open_event_reader(
    const StoreOptions& options, const std::filesystem::path& secondary_dir);

struct ReadOnlyKeys {
  std::unique_ptr<infra::RocksDbKeyStore> store;  // DATA/keys, a secondary instance
  std::unique_ptr<infra::CachingKeyStore> keys;   // `store` behind its cache: use this one
};

// The key store in `options.data_dir`/keys as a secondary instance
// (RocksDbKeyStore::open_secondary).
Result<ReadOnlyKeys> open_keys_read_only(const StoreOptions& options, const events::SecretKey& kek,
                                         const std::filesystem::path& secondary_dir);

}  // namespace clientele::tools
