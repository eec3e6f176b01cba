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

// Opens everything, logging where each store is. Errors name the option to fix.
Result<Installation> open_installation(const StoreOptions& options);

// Opens the event log --event-log names: embedded in `data_dir`/events, or on Kafka.
Result<std::unique_ptr<events::EventLog>> open_event_log(const std::string& event_log,
                                                         const std::filesystem::path& data_dir,
                                                         std::int32_t partitions);

}  // namespace clientele::tools
