#pragma once
// The routes ops use (DESIGN.md §6, §5):
//   GET /healthz  200 while the process answers at all.
//   GET /readyz   200 when the event log answers and no read model lags more than a bound
//                 behind any partition; else 503 with the reasons (the log cannot be read, its
//                 last answer is too old, a partition stopped folding, the lag is too large).
//   GET /metrics  Prometheus text: requests and latency per route template and status, commands,
//                 appends and erasures, password hashes running and waiting, the lag of each
//                 read model per partition, the log's end per partition, events folded.

#include <chrono>
#include <cstdint>

#include "api/lag_monitor.hpp"
#include "api/metrics.hpp"
#include "api/router.hpp"
#include "commands/command_bus.hpp"
#include "commands/password.hpp"
#include "domain/result.hpp"
#include "projections/projector.hpp"

namespace clientele::api {

struct OpsOptions {
  // /readyz fails while any read model is more events than this behind a partition's end.
  std::int64_t ready_max_lag = 1000;
  // /readyz fails when the last measurement of the lag is older than this (the log is not
  // answering).
  std::chrono::milliseconds stale_after{15'000};
};

// What /metrics shows and /readyz checks. The referenced objects must outlive the routes.
struct OpsSources {
  const LagMonitor& lag;
  const projections::Projector& projector;
  const HttpMetrics& metrics;
  const commands::CommandStats& commands;
  const commands::PasswordHasher& passwords;
};

// Adds the three routes to `router`.
Result<void> add_ops_routes(Router& router, const OpsSources& from, OpsOptions options);

}  // namespace clientele::api
