#include "tools/installation.hpp"

#include <cstdlib>

#include "infra/embedded_event_log.hpp"
#include "infra/kafka_event_log.hpp"
#include "infra/logging.hpp"

namespace clientele::tools {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

constexpr std::size_t kKeyCacheCapacity = 10'000;

}  // namespace

Result<std::unique_ptr<events::EventLog>> open_event_log(const std::string& event_log,
                                                         const std::filesystem::path& data_dir,
                                                         std::int32_t partitions) {
  auto bootstrap = kafka_bootstrap_of(event_log);
  if (!bootstrap) return bootstrap.error();
  if (bootstrap->empty()) {
    auto log = infra::EmbeddedEventLog::open({data_dir / "events", partitions});
    if (!log) return log.error();
    return std::unique_ptr<events::EventLog>(std::move(*log));
  }
  infra::KafkaLogOptions kafka;
  kafka.bootstrap_servers = *bootstrap;
  kafka.partitions = partitions;
  auto log = infra::KafkaEventLog::open(kafka);
  if (!log) return log.error();
  return std::unique_ptr<events::EventLog>(std::move(*log));
}

Result<Installation> open_installation(const StoreOptions& options) {
  const auto data_dir = std::filesystem::absolute(options.data_dir).lexically_normal();
  auto secrets = infra::load_secrets({data_dir, env("CLIENTELE_KEK"), options.kek_file,
                                      env("CLIENTELE_PEPPER"), options.pepper_file});
  if (!secrets) return secrets.error();
  auto log = open_event_log(options.event_log, data_dir, options.partitions);
  if (!log) return log.error();
  auto key_store = infra::RocksDbKeyStore::open(data_dir / "keys", std::move(secrets->kek));
  if (!key_store) return key_store.error();
  auto keys = std::make_unique<infra::CachingKeyStore>(**key_store, kKeyCacheCapacity);
  infra::log_info("installation opened", {{"dataDir", data_dir.string()},
                                          {"eventLog", options.event_log},
                                          {"partitions", (*log)->partition_count()}});
  return Installation{std::move(*secrets), std::move(*log), std::move(*key_store), std::move(keys)};
}

}  // namespace clientele::tools
