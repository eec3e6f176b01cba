#pragma once
// `clientele bench <scenario>`: speed targets live here, never in unit tests. Each scenario
// prints one JSON object on stdout.

#include <CLI/CLI.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "commands/password.hpp"

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

struct ProjectBench {
  // Customer events in the log (registrations, addresses, profile, type and status changes;
  // four per customer, so events / 4 customers)
  std::int64_t events = 1'000'000;
  std::int32_t partitions = 12;    // partitions of the scratch log
  int appenders = 128;             // threads filling the log, one command at a time each
  int workers = 0;                 // projector worker threads; 0: one per core, as the service
  std::size_t batch_events = 0;    // most events in one projector batch; 0: the service's default
  std::size_t key_cache = 10'000;  // customers' keys the rebuild caches (the service's cache)
  std::int64_t queries = 1'000;    // timed queries of each kind (search, list page)
  std::int64_t page = 500;         // the list page that is timed (1-based)
  std::int64_t page_size = 20;     // customers per list page
  std::string data_dir;  // where to put the log and the read models; empty = scratch, removed
  // Where to put the key store; empty = a scratch directory on /dev/shm (else the temporary
  // directory), removed. Making a key is one synced write, serialized: on a disk that alone
  // would take minutes for 250,000 customers. Reading keys in the rebuild goes through the
  // same cache and RocksDB store as the service's.
  std::string keys_dir;
};

// Fills an embedded log with `events` sealed customer events of realistic variety (a few
// hundred first and last names, 200 cities in 20 countries) from `appenders` threads, in three
// rounds as customers act over time: registrations; an address made the default; a profile
// update (80%), a type change (10%) or a status change (10%). Then rebuilds every read model of
// ReadModels::all() into a fresh store with the projector's catch_up() (the timed part), and
// times queries, each on a fresh snapshot as the API reads: `queries` searches by fragment of a
// name, email or phone (20% fragments nobody has), and `queries` fetches of list page `page`
// (reached by cursor beforehand) of filtered, sorted listings deep enough to have it. Prints
// {"scenario":"project","events","customers","partitions","appenders","workers","fill_seconds",
//  "fill_events_per_s","seconds","events_per_s","peak_rss_mb","rss_at_rebuild_start_mb",
//  "rebuild_peak_rss_mb","rss_after_rebuild_mb","views_mb","search_queries","search_hits",
//  "search_p50_ms","search_p99_ms","search_max_ms","list_page","page_size","list_listings",
//  "list_queries","list_page_p50_ms","list_page_p99_ms","list_page_max_ms"}.
// peak_rss_mb is the whole process's (the fill included); rebuild_peak_rss_mb is the peak
// during the rebuild alone (null where the kernel cannot reset the high-water mark).
// Returns the exit code: 1 when the fill, the rebuild or a query fails, a fragment taken from a
// customer finds nobody, or no listing reaches `page`.
int run_project_bench(const ProjectBench& bench);

struct HttpBench {
  std::string url;             // the running `clientele serve`: "http://HOST:PORT" (required)
  int connections = 64;        // keep-alive connections sending GET /api/v1/customers/me
  double duration = 10;        // seconds of the /me phase
  bool healthz = false;        // also drive GET /healthz (the server's and driver's ceiling) first
  int login_connections = 0;   // connections logging in; 0: four per core
  double login_duration = 10;  // seconds of the login phase, and of hashing alone
  int rounds = 4;              // login and hashing alone alternate, login_duration / rounds each
  // The server's argon2id parameters (`serve --argon2-ops`, `--argon2-memory-mib`), for hashing
  // alone: the comparison means something only when they match the server's.
  unsigned long long argon2_ops = commands::PasswordHashing::kMinOpsLimit;
  std::size_t argon2_memory_mib = commands::PasswordHashing::kMinMemLimit >> 20;
  // With an administrator (password in CLIENTELE_ADMIN_PASSWORD), the lookups too: after
  // registering `customers` more customers, GET /api/v1/customers/{id} over up to 10,000 of the
  // listed customers and GET /api/v1/customers/search over fragments of the seeded names, each
  // for `duration` seconds on `connections` connections.
  std::string admin_email;
  int customers = 0;
  // When positive, each lookup is driven once more at that many requests per second (an open
  // loop on as many connections; latency counted from when each request was due).
  double by_id_rate = 0;
  double search_rate = 0;
};

// Drives a running `clientele serve` at `url` over HTTP/1.1 with a libcurl multi driver (one
// thread, one easy handle per keep-alive connection, each sending its next request as soon as
// its answer is in: a closed loop). Registers one customer with a random email, logs in, and
// reads its record once with the position of the login (so that the profile is folded); then
// drives GET /api/v1/customers/me with its access token on `connections` connections for
// `duration` seconds (after GET /healthz for as long with `healthz`), then POST
// /api/v1/auth/login with its (correct) credentials on `login_connections` other connections,
// taking turns with PasswordHasher::verify alone (the given argon2id parameters, on as many
// threads but no more than the machine's cores: more only slow argon2id down) `rounds` times,
// each for login_duration / rounds seconds, so that both see the machine alike. Prints
// {"scenario":"http","url","driver":"libcurl-multi","me":PHASE,["healthz":PHASE,]"login":PHASE,
//  "rounds","pwhashAlone":{"threads","hashes","seconds","hashesPerSecond","opsLimit","memoryMib"},
//  "loginVsPwhash"[,"seed":PHASE,"lookups":{"customers","ids"},"customerById":PHASE,
//  "search":PHASE,"customerByIdAtRate":PHASE,"searchAtRate":PHASE]}, where PHASE is
// {"connections","seconds","requests","requestsPerSecond","p50Ms","p99Ms","maxMs","non2xx",
//  "errors","statuses","connectionsOpened","clientCpuPercent"[,"offeredPerSecond"]} and
// loginVsPwhash is login requestsPerSecond over hashesPerSecond.
// Returns the exit code: 1 (with a logged error saying why) when the customer cannot be set up,
// or more than 1% of a phase's requests got no answer or one that is not 2xx (the report is
// still printed); a 429 on login means the server's --auth-rate/--auth-burst are too low.
int run_http_bench(const HttpBench& bench);

// The options of every scenario.
struct BenchOptions {
  LogAppendBench log_append;
  SealBench seal;
  ProjectBench project;
  HttpBench http;
};

// Adds the `bench` subcommand and its scenarios to `app`, their options bound to `options`.
// Returns it.
CLI::App* add_bench_command(CLI::App& app, BenchOptions& options);

// Runs the scenario of `bench` (as returned by add_bench_command) that was parsed. Returns the
// exit code.
int run_bench(const CLI::App& bench, const BenchOptions& options);

}  // namespace clientele::tools
