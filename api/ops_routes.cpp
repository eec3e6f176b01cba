#include "api/ops_routes.hpp"

#include <fmt/format.h>

#include "api/envelope.hpp"

namespace clientele::api {
namespace {

using Clock = std::chrono::steady_clock;

// Why the service is not ready, per `sample` taken as of `now`; empty when it is.
std::vector<std::string> not_ready_because(const LagSample& sample, const OpsOptions& options,
                                           Clock::time_point now) {
  if (!sample.measured) return {"the lag of the read models has not been measured yet"};
  std::vector<std::string> reasons;
  if (!sample.error.empty()) reasons.push_back("the event log cannot be read: " + sample.error);
  const auto age = std::chrono::duration_cast<std::chrono::seconds>(now - sample.taken);
  if (age > options.stale_after) {
    reasons.push_back(fmt::format("the lag was last measured {} s ago", age.count()));
  }
  for (const auto partition : sample.stopped) {
    reasons.push_back(fmt::format("partition {} stopped folding", partition));
  }
  if (sample.error.empty() && sample.max_lag() > options.ready_max_lag) {
    reasons.push_back(fmt::format("the read models are {} events behind the log (the bound is {})",
                                  sample.max_lag(), options.ready_max_lag));
  }
  return reasons;
}

Response readiness(const LagMonitor& lag, const OpsOptions& options) {
  const auto sample = lag.latest();
  const auto reasons = not_ready_because(sample, options, Clock::now());
  nlohmann::json data{
      {"eventLog", sample.measured && sample.error.empty() ? "reachable" : "unreachable"},
      {"lag", sample.max_lag()},
      {"maxLag", options.ready_max_lag},
      {"reasons", reasons}};
  if (reasons.empty()) return success(200, "ready", std::move(data));
  std::string message = "not ready: " + reasons.front();
  for (std::size_t i = 1; i < reasons.size(); ++i) message += "; " + reasons[i];
  return failure(503, message, {}, std::move(data));
}

void render_lag(const LagSample& sample, Clock::time_point now, PrometheusText& out) {
  out.family("clientele_projector_lag_events", "gauge",
             "Events of a partition of the log that a read model has not folded yet.");
  for (const auto& model : sample.models) {
    for (std::size_t p = 0; p < model.lag.size(); ++p) {
      out.sample("clientele_projector_lag_events",
                 {{"model", model.model}, {"partition", std::to_string(p)}},
                 static_cast<double>(model.lag[p]));
    }
  }
  out.family("clientele_event_log_end_offset", "gauge",
             "The offset the next event of a partition of the log will get.");
  for (std::size_t p = 0; p < sample.ends.size(); ++p) {
    out.sample("clientele_event_log_end_offset", {{"partition", std::to_string(p)}},
               static_cast<double>(sample.ends[p]));
  }
  out.family("clientele_projector_lag_measured_seconds_ago", "gauge",
             "How long ago the lag above was measured (-1: not yet).");
  out.sample("clientele_projector_lag_measured_seconds_ago", {},
             sample.measured ? std::chrono::duration<double>(now - sample.taken).count() : -1.0);
}

// The command side's counters.
void render_commands(const commands::CommandStats& stats, PrometheusText& out) {
  out.family(
      "clientele_commands_total", "counter",
      "Commands run since the service started, by result: decided (appended, or needed "
      "nothing), refused by the rules, failed (the append failed or its outcome is unknown).");
  out.sample("clientele_commands_total", {{"result", "decided"}},
             static_cast<double>(stats.decided.load()));
  out.sample("clientele_commands_total", {{"result", "refused"}},
             static_cast<double>(stats.refused.load()));
  out.sample("clientele_commands_total", {{"result", "failed"}},
             static_cast<double>(stats.failed.load()));
  out.family("clientele_events_appended_total", "counter",
             "Events the commands appended to the log since the service started.");
  out.sample("clientele_events_appended_total", {}, static_cast<double>(stats.appended.load()));
  out.family("clientele_erasures_total", "counter",
             "Customers erased through the service since it started.");
  out.sample("clientele_erasures_total", {}, static_cast<double>(stats.erasures.load()));
}

// Password hashing: a queue of hashes waiting means logins are waiting for a core.
void render_password_hashing(const commands::PasswordHasher::Load& load, PrometheusText& out) {
  out.family("clientele_password_hashes_running", "gauge",
             "argon2id computations (logins, registrations, password changes) running now.");
  out.sample("clientele_password_hashes_running", {}, load.running);
  out.family("clientele_password_hashes_waiting", "gauge",
             "argon2id computations waiting for their turn (at most one per core runs at once).");
  out.sample("clientele_password_hashes_waiting", {}, load.waiting);
}

}  // namespace

Result<void> add_ops_routes(Router& router, const OpsSources& from, OpsOptions options) {
  const auto& lag = from.lag;
  if (auto added = router.add(Method::Get, "/healthz",
                              [](const Request&) {
                                return success(200, "alive", {{"status", "alive"}});
                              });
      !added)
    return added;
  if (auto added = router.add(Method::Get, "/readyz",
                              [&lag, options](const Request&) { return readiness(lag, options); });
      !added)
    return added;
  return router.add(Method::Get, "/metrics", [from](const Request&) {
    PrometheusText out;
    from.metrics.render(out);
    render_commands(from.commands, out);
    render_password_hashing(from.passwords.load(), out);
    const auto& lag = from.lag;
    const auto& projector = from.projector;
    render_lag(lag.latest(), Clock::now(), out);
    out.family("clientele_projector_events_folded_total", "counter",
               "Events the projector has folded since the service started.");
    out.sample("clientele_projector_events_folded_total", {},
               static_cast<double>(projector.events_folded()));
    return Response{
        .status = 200, .content_type = std::string(kPrometheusContentType), .body = out.text()};
  });
}

}  // namespace clientele::api
