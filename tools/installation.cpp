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

// Where each secret of the installation `options` names comes from.
infra::SecretSources secret_sources(const StoreOptions& options) {
  return {options.data_path(),     env("CLIENTELE_KEK"), options.kek_file,
          env("CLIENTELE_PEPPER"), options.pepper_file,  env("CLIENTELE_JWT_SECRET"),
          options.jwt_secret_file};
}

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

Result<infra::Secrets> load_installation_secrets(const StoreOptions& options) {
  return infra::load_secrets(secret_sources(options));
}

Result<events::SecretKey> load_installation_jwt_secret(const StoreOptions& options) {
  return infra::load_jwt_secret(secret_sources(options));
}

Result<Installation> open_installation(const StoreOptions& options) {
  const auto data_dir = options.data_path();
  auto secrets = load_installation_secrets(options);
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

namespace clientele::tools {

Result<std::unique_ptr<events::EventReader>> open_event_reader(
    const StoreOptions& options, const std::filesystem::path& secondary_dir) {
  auto bootstrap = kafka_bootstrap_of(options.event_log);
  if (!bootstrap) return bootstrap.error();
  if (!bootstrap->empty()) {
    auto log = open_event_log(options.event_log, options.data_path(), options.partitions);
    if (!log) return log.error();
    return std::unique_ptr<events::EventReader>(std::move(*log));
  }
  const infra::EmbeddedLogOptions embedded{options.data_path() / "events", options.partitions};
  auto log = open_read_only<infra::EmbeddedEventLog>(
      [&] { return infra::EmbeddedEventLog::open_secondary(embedded, secondary_dir); },
      [&] { return infra::EmbeddedEventLog::open(embedded); });
  if (!log) return log.error();
  return std::unique_ptr<events::EventReader>(std::move(*log));
}

Result<ReadOnlyKeys> open_keys_read_only(const StoreOptions& options, const events::SecretKey& kek,
                                         const std::filesystem::path& secondary_dir) {
  const auto directory = options.data_path() / "keys";
  auto store = open_read_only<infra::RocksDbKeyStore>(
      [&] {
        return infra::RocksDbKeyStore::open_secondary(directory, events::SecretKey(kek.bytes()),
                                                      secondary_dir);
      },
      [&] { return infra::RocksDbKeyStore::open(directory, events::SecretKey(kek.bytes())); });
  if (!store) return store.error();
  auto keys = std::make_unique<infra::CachingKeyStore>(**store, kKeyCacheCapacity);
  return ReadOnlyKeys{std::move(*store), std::move(keys)};
}

}  // namespace clientele::tools
