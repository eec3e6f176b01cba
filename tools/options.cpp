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
}

}  // namespace clientele::tools
