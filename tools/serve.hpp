#pragma once

#include "tools/options.hpp"

namespace clientele::tools {

// `clientele serve`: opens the installation and runs until SIGTERM or SIGINT.
// Returns the process exit code: 0 after a clean stop, 1 when the stores cannot be opened.
int run_serve(const StoreOptions& options);

}  // namespace clientele::tools
