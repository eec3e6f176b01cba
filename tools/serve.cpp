#include "tools/serve.hpp"

#include <unistd.h>

#include <charconv>
#include <csignal>
#include <filesystem>
#include <functional>
#include <optional>
#include <stop_token>
#include <thread>

#include "api/dispatcher.hpp"
#include "api/http_server.hpp"
#include "api/lag_monitor.hpp"
#include "api/metrics.hpp"
#include "api/routes.hpp"
#include "infra/admin_socket.hpp"
#include "infra/clock.hpp"
#include "infra/logging.hpp"
#include "infra/scratch_dir.hpp"
#include "infra/uuid.hpp"
#include "projections/projector.hpp"
#include "projections/rebuild.hpp"
#include "tools/accounts.hpp"
#include "tools/admin.hpp"
#include "tools/admin_command.hpp"
#include "tools/erasures.hpp"
#include "tools/installation.hpp"
#include "tools/oidc_config.hpp"
#include "tools/port_file.hpp"
#include "tools/read_models.hpp"
#include "tools/rebuilds.hpp"
#include "tools/stop_signals.hpp"

namespace clientele::tools {
namespace {

// Logs "read models caught up" once `projector` has folded every event `log` holds now, unless
// `stop` comes first.
void announce_caught_up(const projections::Projector& projector, events::EventReader& log,
                        const std::stop_token& stop) {
  std::int64_t events = 0;
  for (std::int32_t p = 0; p < log.partition_count(); ++p) {
    const auto end = log.end_offset(events::Partition{p});
    if (!end) return;
    events += end->value;
    if (end->value == 0) continue;
    const events::Position last{events::Partition{p}, events::Offset{end->value - 1}};
    while (!projector.wait_for(last, std::chrono::milliseconds(200))) {
      if (stop.stop_requested()) return;
    }
  }
  infra::log_info("read models caught up", {{"events", events}});
}

// The host and port --listen names: "HOST:PORT", an IPv6 host in brackets.
struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};

Result<ListenAddress> parse_listen(std::string_view text) {
  const auto bad = make_error(errc::invalid, "listen",
                              "--listen takes HOST:PORT, e.g. 127.0.0.1:8080 (port 0: any free)");
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return bad;
  auto host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return bad;
    host = host.substr(1, host.size() - 2);
  }
  const auto port_text = text.substr(colon + 1);
  int port = -1;
  const auto parsed = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (parsed.ec != std::errc() || parsed.ptr != port_text.data() + port_text.size() || port < 0 ||
      port > 65535) {
    return bad;
  }
  return ListenAddress{std::string(host), static_cast<std::uint16_t>(port)};
}

// The API logs through the process's logger.
void log_from_api(api::LogLevel level, std::string_view message, const nlohmann::json& fields) {
  infra::log(level == api::LogLevel::error  ? spdlog::level::err
             : level == api::LogLevel::warn ? spdlog::level::warn
                                            : spdlog::level::info,
             message, fields);
}

// The files of swagger-ui-dist in `dir`, for /docs. When they are not there the service runs
// without them (/docs answers 503) and says so in the log.
api::SwaggerUi swagger_ui_in(const std::string& dir) {
  auto loaded = api::load_swagger_ui(dir);
  if (loaded) return std::move(*loaded);
  infra::log_warn("/docs answers 503: swagger-ui-dist is not installed; run tools/setup.sh",
                  {{"error", loaded.error().message}});
  return {};
}

// The REST API of the running service: today the ops routes (api/routes.hpp) over `lag` and
// `projector`, and the address it listens on ("HOST:PORT").
struct Api {
  std::unique_ptr<api::HttpServer> server;  // started
  std::string address;                      // the port bound, not 0
};

// Starts the API on `address`, logs where it listens and writes --port-file. Errors say what
// failed (the address cannot be bound, the port file cannot be written).
// What the routes answer from (api/routes.hpp).
struct ApiSources {
  const api::LagMonitor& lag;
  const projections::Projector& projector;
  api::HttpMetrics& metrics;
  Accounts& accounts;
  commands::ErasureDesk& erasures;
  ReadModels& views;
  const api::ReadYourWrites& read_your_writes;
  const api::OidcVerifier* identity_providers;  // null: none configured
};

Result<Api> start_api(const ServeOptions& options, const ListenAddress& address,
                      const ApiSources& from) {
  auto& accounts = from.accounts;
  auto router = api::build_routes({.lag = from.lag,
                                   .projector = from.projector,
                                   .metrics = from.metrics,
                                   .commands = accounts.bus->stats(),
                                   .passwords = *accounts.hasher,
                                   .changes = *accounts.customers,
                                   .erasures = from.erasures,
                                   .timeline = from.views.timeline,
                                   .auth = {.auth = *accounts.auth,
                                            .tokens = *accounts.tokens,
                                            .backoff = accounts.backoff,
                                            .rate_limit = *accounts.rate_limit,
                                            .idempotency = *accounts.idempotency,
                                            .clock = infra::utc_now,
                                            .monotonic_clock = api::ThrottleClock::now,
                                            .identity_providers = from.identity_providers,
                                            .log = log_from_api},
                                   .customers = {.store = *from.views.store,
                                                 .profiles = from.views.profiles,
                                                 .list = from.views.list,
                                                 .search = from.views.search,
                                                 .analytics = from.views.analytics,
                                                 .commerce = from.views.commerce,
                                                 .read_your_writes = from.read_your_writes,
                                                 .clock = infra::utc_now},
                                   .addresses = {.customers = *accounts.customers,
                                                 .idempotency = *accounts.idempotency,
                                                 .store = *from.views.store,
                                                 .profiles = from.views.profiles,
                                                 .book = from.views.addresses,
                                                 .read_your_writes = from.read_your_writes,
                                                 .new_id = infra::random_address_id},
                                   .orders = {.orders = *accounts.orders,
                                              .idempotency = *accounts.idempotency,
                                              .store = *from.views.store,
                                              .model = from.views.orders,
                                              .read_your_writes = from.read_your_writes},
                                   .complaints = {.complaints = *accounts.complaints,
                                                  .idempotency = *accounts.idempotency,
                                                  .store = *from.views.store,
                                                  .model = from.views.complaints,
                                                  .read_your_writes = from.read_your_writes},
                                   .ops = {.ready_max_lag = options.ready_max_lag},
                                   .swagger_ui = swagger_ui_in(options.docs_dir)});
  if (!router) return router.error();
  api::Dispatcher dispatcher(
      std::move(*router),
      {.log = log_from_api, .authenticate = [&accounts](std::string_view token) {
         return accounts.authenticate(token);
       }});
  Api api{std::make_unique<api::HttpServer>(
              std::move(dispatcher), from.metrics,
              api::ServerOptions{
                  .host = address.host, .port = address.port, .threads = options.http_threads}),
          {}};
  remove_port_file(options.port_file);
  auto port = api.server->start();
  if (!port) return port.error();
  const bool ipv6 = address.host.find(':') != std::string::npos;
  api.address = (ipv6 ? "[" + address.host + "]" : address.host) + ":" + std::to_string(*port);
  infra::log_info("http server listening",
                  {{"address", api.address}, {"threads", options.http_threads}});
  if (!options.port_file.empty()) {
    if (auto written = write_port_file(options.port_file, api.address); !written) {
      return make_error(errc::unavailable, "port-file",
                        "cannot write the port file: " + written.error().message);
    }
  }
  return api;
}

// Stops the API: refuses new requests, waits up to the drain timeout for those in flight, then
// closes every connection.
void drain_api(api::HttpServer& server, double drain_seconds) {
  const auto began = std::chrono::steady_clock::now();
  server.refuse_new_requests();
  infra::log_info("draining http requests", {{"inFlight", server.in_flight()}});
  const auto limit = std::chrono::milliseconds(static_cast<std::int64_t>(drain_seconds * 1000));
  if (server.drain(limit)) {
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - began);
    infra::log_info("http requests drained", {{"waitedMs", waited.count()}});
  } else {
    infra::log_warn("http requests still in flight after the drain timeout",
                    {{"inFlight", server.in_flight()}, {"drainSeconds", drain_seconds}});
  }
  server.stop();
  infra::log_info("http server stopped");
}

// The identity providers of federated login that --oidc-config names (oidc_config.hpp); nullopt
// without the option.
Result<std::optional<api::OidcVerifier>> identity_providers_of(const ServeOptions& options) {
  if (options.oidc_config.empty()) return std::optional<api::OidcVerifier>();
  auto loaded = load_oidc_config(options.oidc_config);
  if (!loaded) return loaded.error();
  infra::log_info("identity providers loaded", {{"config", options.oidc_config}});
  return std::optional<api::OidcVerifier>(std::move(*loaded));
}

// Opens the installation and its read models, folds the log into them, serves the API and the
// admin channel, and waits for the stop. Returns the exit code.
int serve(const ServeOptions& serve_options, const std::function<void()>& wait_for_stop) {
  const auto& options = serve_options.store;
  auto address = parse_listen(serve_options.listen);
  if (!address) {
    infra::log_error("cannot listen", {{"error", address.error().message}});
    return 1;
  }
  auto identity_providers = identity_providers_of(serve_options);
  if (!identity_providers) {
    infra::log_error("cannot load the identity providers",
                     {{"error", identity_providers.error().message}});
    return 1;
  }
  auto installation = open_installation(options);
  if (!installation) {
    infra::log_error("cannot open the installation", {{"error", installation.error().message}});
    return 1;
  }
  auto& log = *installation->log;
  auto ends = events::end_offsets(log);
  if (!ends) {
    infra::log_error("cannot read the event log", {{"error", ends.error().message}});
    return 1;
  }
  std::int64_t events = 0;
  for (const auto end : *ends) events += end.value;
  nlohmann::json opened{
      {"eventLog", options.event_log}, {"partitions", log.partition_count()}, {"events", events}};
  if (options.event_log == "embedded") {
    opened["path"] = std::filesystem::absolute(options.event_log_dir()).lexically_normal().string();
  }
  infra::log_info("event log opened", opened);
  infra::ScratchDir::remove_abandoned(options.data_path());

  auto views = ReadModels::open(options.data_dir, installation->secrets.pepper);
  if (!views) {
    infra::log_error("cannot open the read models", {{"error", views.error().message}});
    return 1;
  }
  auto& keys = *installation->keys;
  projections::ProjectorOptions projecting;
  projecting.on_erased = [&keys](const CustomerId& customer) { keys.invalidate(customer); };
  projecting.on_stopped = [](events::Partition partition, const Error& error) {
    infra::log_error("a partition stopped folding",
                     {{"partition", partition.value}, {"error", error.message}});
  };
  auto& store = *(*views)->store;
  projections::Projector projector(log, keys, store, std::vector<projections::Binding>{},
                                   projecting);
  auto outdated = projections::bind_live(projector, store, (*views)->all());
  if (!outdated) {
    infra::log_error("cannot read the read-model catalog", {{"error", outdated.error().message}});
    return 1;
  }
  if (auto started = projector.start(); !started) {
    infra::log_error("cannot start the projector", {{"error", started.error().message}});
    return 1;
  }
  // Read models whose version changed are rebuilt beside their old build, which keeps answering;
  // so are those an admin request names.
  std::stop_source stopping;
  Rebuilds rebuilds(**views, projector, log, keys, stopping.get_token());
  std::jthread rebuilder([&] {
    for (const auto* model : *outdated) (void)rebuilds.rebuild(*model, "version changed");
  });
  auto accounts = Accounts::open(
      options, *installation,
      {.hashing = {.ops_limit = serve_options.argon2_ops,
                   .mem_limit = serve_options.argon2_memory_mib << 20,
                   .allow_weak = serve_options.allow_weak_password_hashing},
       .auth_rate = {.burst = serve_options.auth_burst, .per_second = serve_options.auth_rate}});
  if (!accounts) {
    infra::log_error("cannot open the command side", {{"error", accounts.error().message}});
    stopping.request_stop();
    return 1;
  }

  auto erasures = start_erasures(*installation, **accounts, projector, store);
  if (!erasures) {
    infra::log_error("cannot start the erasures", {{"error", erasures.error().message}});
    stopping.request_stop();
    return 1;
  }

  AdminCommands commands;
  rebuilds.add_to(commands);
  add_erasure_commands(commands, *erasures->desk);
  add_administrator_commands(commands, *(*accounts)->sessions, *(*accounts)->hasher,
                             installation->secrets.pepper);
  const auto socket = infra::admin_socket_path(options.data_path());
  auto admin = infra::AdminServer::listen(
      socket, [&commands](const nlohmann::json& request) { return commands.answer(request); });
  if (!admin) {
    infra::log_error("cannot open the admin channel", {{"error", admin.error().message}});
    stopping.request_stop();
    return 1;
  }
  infra::log_info("admin channel open", {{"socket", socket.string()}});

  api::HttpMetrics metrics;
  api::LagMonitor lag(log, projector, store, std::chrono::milliseconds(500));
  lag.start();
  const api::ReadYourWrites read_your_writes(projector, log.partition_count());
  auto api = start_api(serve_options, *address,
                       {lag, projector, metrics, **accounts, *erasures->desk, **views,
                        read_your_writes, *identity_providers ? &**identity_providers : nullptr});
  if (!api) {
    infra::log_error("cannot serve the api", {{"error", api.error().message}});
    stopping.request_stop();
    return 1;
  }
  infra::log_info("ready", {{"pid", ::getpid()}, {"listen", api->address}});
  std::jthread announcer([&](std::stop_token stop) { announce_caught_up(projector, log, stop); });

  wait_for_stop();
  drain_api(*api->server, serve_options.drain_seconds);
  remove_port_file(serve_options.port_file);
  stopping.request_stop();  // cancels the rebuilds in progress
  admin->reset();           // answers the requests in progress, removes the socket
  erasures->desk->stop();   // finishes the step under way; the rest resumes at the next start
  accounts->reset();        // the strands finish the commands they hold
  announcer.request_stop();
  announcer.join();
  rebuilder.join();
  projector.stop();
  infra::log_info("projector stopped", {{"eventsFolded", projector.events_folded()}});
  return 0;
}

}  // namespace

void add_serve_options(CLI::App& command, ServeOptions& options) {
  add_store_options(command, options.store);
  command
      .add_option("--listen", options.listen,
                  "HOST:PORT the REST API listens on (port 0: any free port; see --port-file)")
      ->envname("CLIENTELE_LISTEN")
      ->check([](const std::string& value) {
        const auto address = parse_listen(value);
        return address ? std::string() : address.error().message;
      })
      ->capture_default_str();
  command
      .add_option("--port-file", options.port_file,
                  "Also write the address the API listens on (HOST:PORT, one line) to this file "
                  "once it listens (written whole; removed on stop)")
      ->envname("CLIENTELE_PORT_FILE");
  command.add_option("--http-threads", options.http_threads, "Threads serving the REST API")
      ->envname("CLIENTELE_HTTP_THREADS")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  command
      .add_option("--ready-max-lag", options.ready_max_lag,
                  "/readyz answers 503 while a read model is more events than this behind a "
                  "partition of the log")
      ->envname("CLIENTELE_READY_MAX_LAG")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command
      .add_option("--docs-dir", options.docs_dir,
                  "The swagger-ui-dist directory /docs serves Swagger UI from (tools/setup.sh "
                  "installs it; read once at startup; /docs answers 503 without it)")
      ->envname("CLIENTELE_DOCS_DIR")
      ->capture_default_str();
  command
      .add_option("--drain-timeout", options.drain_seconds,
                  "Seconds to wait on SIGTERM for requests in flight before stopping anyway")
      ->envname("CLIENTELE_DRAIN_TIMEOUT")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  command
      .add_option("--argon2-ops", options.argon2_ops,
                  "Passes of argon2id over its memory per password hash (at least 2)")
      ->envname("CLIENTELE_ARGON2_OPS")
      ->check(CLI::Range(1ULL, 100ULL))
      ->capture_default_str();
  command
      .add_option("--argon2-memory-mib", options.argon2_memory_mib,
                  "MiB of memory argon2id uses per password hash (at least 19)")
      ->envname("CLIENTELE_ARGON2_MEMORY_MIB")
      ->check(CLI::Range(std::size_t{1}, std::size_t{4096}))
      ->capture_default_str();
  command.add_flag("--allow-weak-password-hashing", options.allow_weak_password_hashing,
                   "Accept --argon2-ops and --argon2-memory-mib below OWASP's minimum: for tests "
                   "only, never in production");
  command
      .add_option("--auth-rate", options.auth_rate,
                  "Requests per second each client address may send to /api/v1/auth")
      ->envname("CLIENTELE_AUTH_RATE")
      ->check(CLI::Range(0.01, 1e6))
      ->capture_default_str();
  command
      .add_option("--auth-burst", options.auth_burst,
                  "Requests each client address may send to /api/v1/auth at once")
      ->envname("CLIENTELE_AUTH_BURST")
      ->check(CLI::Range(1.0, 1e6))
      ->capture_default_str();
  command
      .add_option("--oidc-config", options.oidc_config,
                  "JSON file naming the identity providers of federated login (google, kakao, "
                  "apple): issuer, our client ids, and the key set file of each; without it "
                  "federated login is refused")
      ->envname("CLIENTELE_OIDC_CONFIG");
}

int run_serve(const ServeOptions& options) {
  // A client that goes away must not kill the service with SIGPIPE while it is answered.
  std::signal(SIGPIPE, SIG_IGN);
  return run_until_signal(
      [&](const std::function<void()>& wait_for_stop) { return serve(options, wait_for_stop); });
}

}  // namespace clientele::tools
