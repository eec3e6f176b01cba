#include "tools/options.hpp"

namespace clientele::tools {

void add_store_options(CLI::App& command, StoreOptions& options) {
  command.add_option("--data-dir", options.data_dir, "Data directory of the installation")
      ->envname("CLIENTELE_DATA_DIR")
      ->capture_default_str();
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
}

}  // namespace clientele::tools
