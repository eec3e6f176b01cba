#pragma once
// `clientele bench <scenario>`: speed targets live here, never in unit tests. Each scenario
// prints one JSON object on stdout.

#include <cstdint>
#include <string>

namespace clientele::tools {

struct LogAppendBench {
  int appenders = 64;             // concurrent appending threads
  std::int64_t events = 200'000;  // commands to append in all (one ~400-byte event each)
  std::int32_t partitions = 12;   // partitions of the scratch log
  std::string data_dir;           // where to put the log; empty = a scratch directory, removed
};

// Appends `events` commands of one event from `appenders` threads to an embedded log and prints
// {"scenario","appenders","events","seconds","events_per_s","p50_ms","p99_ms","max_ms",
//  "fsyncs","events_per_fsync","payload_bytes"}. Returns the exit code.
int run_log_append_bench(const LogAppendBench& bench);

}  // namespace clientele::tools
