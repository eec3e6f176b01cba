#include "tools/options.hpp"

#include <charconv>

namespace clientele::tools {

Result<std::string> kafka_bootstrap_of(std::string_view event_log) {
  constexpr std::string_view kScheme = "kafka://";
  if (event_log == "embedded") return std::string();
  const auto bad = [&] {
    return make_error(errc::invalid, "event-log",
                      "--event-log takes \"embedded\" or kafka://HOST:PORT[,HOST:PORT...]");
  };
  if (!event_log.starts_with(kScheme)) return bad();
  const std::string_view servers = event_log.substr(kScheme.size());
  for (std::size_t start = 0; start <= servers.size();) {
    auto end = servers.find(',', start);
    if (end == std::string_view::npos) end = servers.size();
    const auto server = servers.substr(start, end - start);
    const auto colon = server.rfind(':');
    int port = 0;
    if (colon == std::string_view::npos || colon == 0 ||
        std::from_chars(server.data() + colon + 1, server.data() + server.size(), port).ptr !=
            server.data() + server.size() ||
        port < 1 || port > 65535) {
      return bad();
    }
    start = end + 1;
  }
  return std::string(servers);
}

CLI::Option* add_event_log_option(CLI::App& command, std::string& event_log) {
  return command
      .add_option("--event-log", event_log,
                  "The event log: \"embedded\" (RocksDB in DATA/events) or "
                  "kafka://HOST:PORT[,HOST:PORT...] (the topic clientele.events)")
      ->envname("CLIENTELE_EVENT_LOG")
      ->check([](const std::string& value) {
        const auto bootstrap = kafka_bootstrap_of(value);
        return bootstrap ? std::string() : bootstrap.error().message;
      })
      ->capture_default_str();
}

void add_store_options(CLI::App& command, StoreOptions& options) {
  command.add_option("--data-dir", options.data_dir, "Data directory of the installation")
      ->envname("CLIENTELE_DATA_DIR")
      ->capture_default_str();
  add_event_log_option(command, options.event_log);
  command
      .add_option("--partitions", options.partitions,
                  "Partitions of the event log; fixed when the log is created")
      ->envname("CLIENTELE_PARTITIONS")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  command
      .add_option("--kek-file", options.kek_file,
                  "File holding the key-encryption key (64 hex digits or base64); the key itself "
                  "may be given in CLIENTELE_KEK instead. Default: DATA-keys/kek, generated for a "
                  "new installation")
      ->envname("CLIENTELE_KEK_FILE");
  command
      .add_option("--pepper-file", options.pepper_file,
                  "File holding the blind-index pepper; or CLIENTELE_PEPPER. Default: "
                  "DATA-keys/pepper, generated for a new installation")
      ->envname("CLIENTELE_PEPPER_FILE");
  command
      .add_option("--jwt-secret-file", options.jwt_secret_file,
                  "File holding the key that signs access tokens; or CLIENTELE_JWT_SECRET. "
                  "Default: DATA-keys/jwt, generated when missing (a new key only ends the "
                  "access tokens issued before it)")
      ->envname("CLIENTELE_JWT_SECRET_FILE");
}

}  // namespace clientele::tools
