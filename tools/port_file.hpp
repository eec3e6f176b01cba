#pragma once
// Port files: a long-running subcommand (serve, kafka-dev-broker) writes the address it listens
// on to a file, so that whoever started it on a free port (0) can learn which one.

#include <filesystem>
#include <string>

#include "domain/result.hpp"

namespace clientele::tools {

// Writes `line` and a newline to `file` through a temporary file in the same directory renamed
// into place, so that a reader sees no file or the whole line. errc::unavailable (field
// "port-file") when it cannot.
Result<void> write_port_file(const std::filesystem::path& file, const std::string& line);

// Removes `file` if it is there: before listening, so that a reader waiting for it does not take
// a previous run's address; and on stop.
void remove_port_file(const std::filesystem::path& file);

}  // namespace clientele::tools
