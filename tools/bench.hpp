#pragma once
// `clientele bench <scenario>`: speed targets live here, never in unit tests. Each scenario
// prints one JSON object on stdout.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace clientele::tools {

struct LogAppendBench {
  int appenders = 64;             // concurrent appending threads
  std::int64_t events = 200'000;  // commands to append in all (one ~400-byte event each)
  std::int32_t partitions = 12;   // partitions of the scratch log
  std::string data_dir;           // where to put the log; empty = a scratch directory, removed
  // "embedded" (a scratch log) or "kafka://HOST:PORT[,...]" (its topic clientele.events)
  std::string event_log = "embedded";
  bool encode = false;  // serialize each envelope in the timed loop (else before the clock)
  bool seal = false;    // seal and serialize each envelope in the timed loop
};

// Appends `events` commands of one event from `appenders` threads to the log and prints
// {"scenario","eventLog","mode","appenders","events","failures","seconds","events_per_s",
//  "p50_ms","p99_ms","max_ms","payload_bytes","sealed"}, plus "fsyncs" and "events_per_fsync" for
// the embedded log, and for Kafka "kcat_events_per_s" and "ratio_to_kcat": the same messages
// sent again by `kcat -P` (null when kcat is not installed). The envelopes are
// built before the clock starts. Modes: "log" (default) serializes them before the clock too,
// so the timed loop measures the log alone; "encode" serializes each in the timed loop; "seal"
// seals it with a cached key store and serializes it in the timed loop. The cost of sealing is
// "seal" against "encode". Latencies cover what the loop does per command. Returns the exit code.
int run_log_append_bench(const LogAppendBench& bench);

struct SealBench {
  std::int64_t events = 200'000;   // customer, address and order events with personal fields
  std::int64_t customers = 1'000;  // customers they are about (one key each)
  std::string data_dir;            // where to put the key store; empty = a scratch directory
};

// Seals `events` events of `customers` customers (seal + to_wire) on one thread, then parses and
// opens all of them (parse_envelope + open) on one thread, with a RocksDB key store behind a key
// cache that holds every customer; the customers' keys are made before the clock starts. Prints
// {"scenario":"seal","events","customers","seal_per_s","open_per_s","payload_bytes"}.
// Returns the exit code: 1 when an event failed to seal or to open.
int run_seal_bench(const SealBench& bench);

// The options of every scenario.
struct BenchOptions {
  LogAppendBench log_append;
  SealBench seal;
};

// Adds the `bench` subcommand and its scenarios to `app`, their options bound to `options`.
// Returns it.
CLI::App* add_bench_command(CLI::App& app, BenchOptions& options);

// Runs the scenario of `bench` (as returned by add_bench_command) that was parsed. Returns the
// exit code.
int run_bench(const CLI::App& bench, const BenchOptions& options);

}  // namespace clientele::tools
