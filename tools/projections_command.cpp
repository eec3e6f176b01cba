#include "tools/projections_command.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>
#include <tuple>

#include "infra/logging.hpp"
#include "infra/scratch_dir.hpp"
#include "projections/projector.hpp"
#include "projections/rebuild.hpp"
#include "tools/admin.hpp"
#include "tools/installation.hpp"
#include "tools/read_models.hpp"
#include "tools/rebuilds.hpp"

namespace clientele::tools {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// The namespaces of the store and the state of each: per the catalog, a model's "live" build
// (or "outdated" when its version is not the service's, which rebuilds it), a "building" build of
// the current version beside it, other namespaces "retired"; and "absent" for a model with no
// namespace yet (before the service first ran it).
Result<std::vector<std::pair<projections::Namespace, std::string>>> list_namespaces(
    const ReadModels& views, const projections::Snapshot& snapshot) {
  std::vector<std::pair<projections::Namespace, std::string>> listed;
  for (const auto* model : views.all()) {
    auto live = projections::live_namespace(snapshot, model->name());
    if (!live) return live.error();
    if (!*live) {
      listed.emplace_back(model->ns(), "absent");
    } else {
      listed.emplace_back(**live, (*live)->version == model->version() ? "live" : "outdated");
    }
  }
  for (const auto& ns : views.store->namespaces()) {
    if (ns == projections::kCatalog ||
        std::any_of(listed.begin(), listed.end(), [&](const auto& l) { return l.first == ns; }))
      continue;
    const auto all = views.all();
    const bool current = std::any_of(all.begin(), all.end(), [&](const auto* m) {
      return m->name() == ns.model && m->version() == ns.version;
    });
    listed.emplace_back(ns, current ? "building" : "retired");
  }
  return listed;
}

// The status of every namespace (list_namespaces), with its checkpoint, the log's end and the
// lag between them per partition. Reads `views` before `log`, so that no lag is negative.
Result<json> status(const ReadModels& views, events::EventReader& log) {
  const auto snapshot = views.store->snapshot();
  auto ends = events::end_offsets(log);
  if (!ends) return ends.error();
  auto listed = list_namespaces(views, *snapshot);
  if (!listed) return listed.error();
  json models = json::array();
  for (const auto& [ns, state] : *listed) {
    std::vector<events::Offset> checkpoints(ends->size());
    if (state != "absent") {
      auto stored = projections::read_checkpoints(*snapshot, ns, log.partition_count());
      if (!stored) return stored.error();
      checkpoints = std::move(*stored);
    }
    json partitions = json::array();
    std::int64_t lag = 0;
    for (std::size_t p = 0; p < ends->size(); ++p) {
      const auto end = (*ends)[p];
      const auto behind = std::max<std::int64_t>(0, end.value - checkpoints[p].value);
      lag += behind;
      partitions.push_back({{"partition", p},
                            {"checkpoint", checkpoints[p].value},
                            {"end", end.value},
                            {"lag", behind}});
    }
    models.push_back({{"name", ns.model},
                      {"version", ns.version},
                      {"build", ns.build},
                      {"state", state},
                      {"lag", lag},
                      {"partitions", std::move(partitions)}});
  }
  std::sort(models.begin(), models.end(), [](const json& a, const json& b) {
    return std::tie(a["name"], a["version"]) < std::tie(b["name"], b["version"]);
  });
  return json{{"models", std::move(models)}};
}

// Folds the log afresh into a scratch store in `scratch`, each model up to where its live build
// is (into a namespace of the same name), and compares the digests of the two. Models folded to
// the same checkpoints are folded together, in one pass over the log. A model whose live build
// has another version than the service's cannot be folded afresh: it is reported "outdated".
Result<json> verify(const ReadModels& views, events::EventReader& log, events::KeyStore& keys,
                    const std::filesystem::path& scratch) {
  const auto live = views.store->snapshot();
  std::map<std::vector<std::int64_t>, std::vector<projections::Binding>> groups;
  json models = json::array();
  for (const auto* model : views.all()) {
    auto ns = projections::live_namespace(*live, model->name());
    if (!ns) return ns.error();
    if (!*ns || (*ns)->version != model->version()) {
      models.push_back({{"name", model->name()},
                        {"version", model->version()},
                        {"state", *ns ? "outdated" : "absent"}});
      continue;
    }
    auto ends = projections::read_checkpoints(*live, **ns, log.partition_count());
    if (!ends) return ends.error();
    std::vector<std::int64_t> key;
    for (const auto& end : *ends) key.push_back(end.value);
    groups[key].push_back(projections::Binding{model, **ns});
  }
  auto fresh_store = infra::RocksDbReadModelStore::open(scratch);
  if (!fresh_store) return fresh_store.error();
  for (const auto& [key, group] : groups) {
    std::vector<events::Offset> ends;
    for (const auto end : key) ends.push_back(events::Offset{end});
    projections::Projector fresh(log, keys, **fresh_store, group);
    if (auto folded = fresh.catch_up_to(ends); !folded) return folded.error();
  }
  const auto fresh = (*fresh_store)->snapshot();
  bool all_equal = true;
  for (const auto& [key, group] : groups) {
    for (const auto& [model, ns] : group) {
      auto live_digest = projections::digest(*live, ns);
      if (!live_digest) return live_digest.error();
      auto fresh_digest = projections::digest(*fresh, ns);
      if (!fresh_digest) return fresh_digest.error();
      std::int64_t events = 0;
      for (const auto end : key) events += end;
      const bool equal = *live_digest == *fresh_digest;
      all_equal = all_equal && equal;
      models.push_back({{"name", model->name()},
                        {"version", ns.version},
                        {"build", ns.build},
                        {"state", "live"},
                        {"events", events},
                        {"live", *live_digest},
                        {"fresh", *fresh_digest},
                        {"equal", equal}});
    }
  }
  std::sort(models.begin(), models.end(),
            [](const json& a, const json& b) { return a["name"] < b["name"]; });
  return json{{"equal", all_equal}, {"models", std::move(models)}};
}

// The names `projections rebuild` accepts: those of ReadModels::all().
const std::vector<std::string> kModelNames{
    "address_book",  "audit_timeline",   "commerce_analytics", "complaints", "customer_analytics",
    "customer_list", "customer_profile", "customer_search",    "orders"};

// One look at the installation for `projections status`: the status of every namespace, and when
// the read models were read.
struct Sample {
  json status;
  Clock::time_point at;
};

// Opens the read models and the log read-only (installation.hpp), in that order, and reads the
// status of every namespace.
Result<Sample> sample_status(const StoreOptions& options, const events::SecretKey& pepper,
                             const std::filesystem::path& scratch) {
  auto views = ReadModels::open_secondary(options.data_path(), pepper, scratch / "views");
  if (!views) return views.error();
  const auto at = Clock::now();
  auto log = open_event_reader(options, scratch / "events");
  if (!log) return log.error();
  auto report = status(**views, **log);
  if (!report) return report.error();
  return Sample{std::move(*report), at};
}

// The sum of the checkpoints of `model` (an entry of a status).
std::int64_t folded(const json& model) {
  std::int64_t sum = 0;
  for (const auto& partition : model["partitions"])
    sum += partition["checkpoint"].get<std::int64_t>();
  return sum;
}

// Adds to each namespace of `later` the events folded into it per second since `earlier`, when
// `earlier` has it too, and the seconds between the two samples.
void add_fold_rates(const Sample& earlier, Sample& later) {
  const double seconds = std::chrono::duration<double>(later.at - earlier.at).count();
  later.status["sampleSeconds"] = std::round(seconds * 1000) / 1000;
  for (auto& model : later.status["models"]) {
    for (const auto& before : earlier.status["models"]) {
      if (before["name"] != model["name"] || before["version"] != model["version"] ||
          before["build"] != model["build"]) {
        continue;
      }
      const auto rate =
          seconds > 0 ? static_cast<double>(folded(model) - folded(before)) / seconds : 0;
      model["eventsFoldedPerSecond"] = std::round(rate * 10) / 10;
    }
  }
}

// `projections status`: one sample, or two `sample_seconds` apart with the fold rates between them.
Result<json> status_command(const ProjectionsOptions& options) {
  auto secrets = load_installation_secrets(options.store);
  if (!secrets) return secrets.error();
  auto scratch = infra::ScratchDir::make(options.store.data_path());
  if (!scratch) return scratch.error();
  auto first = sample_status(options.store, secrets->pepper, scratch->path());
  if (!first || options.sample_seconds <= 0) {
    if (!first) return first.error();
    return std::move(first->status);
  }
  std::this_thread::sleep_until(first->at +
                                std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(options.sample_seconds)));
  auto second = sample_status(options.store, secrets->pepper, scratch->path());
  if (!second) return second.error();
  add_fold_rates(*first, *second);
  return std::move(second->status);
}

// `projections verify`: opens the read models, the log and the keys read-only (installation.hpp),
// in that order, and folds the log afresh into a scratch store beside them.
Result<json> verify_command(const ProjectionsOptions& options) {
  auto secrets = load_installation_secrets(options.store);
  if (!secrets) return secrets.error();
  auto scratch = infra::ScratchDir::make(options.store.data_path());
  if (!scratch) return scratch.error();
  const auto& dir = scratch->path();
  auto views =
      ReadModels::open_secondary(options.store.data_path(), secrets->pepper, dir / "views");
  if (!views) return views.error();
  auto log = open_event_reader(options.store, dir / "events");
  if (!log) return log.error();
  auto keys = open_keys_read_only(options.store, secrets->kek, dir / "keys");
  if (!keys) return keys.error();
  return verify(**views, **log, *keys->keys, dir / "views-verify");
}

// `projections rebuild`, executed in this process: opens the stores and a projector for the read
// models, and answers the request like the service does.
Result<json> rebuild_here(const ProjectionsOptions& options, const json& request) {
  auto installation = open_installation(options.store);
  if (!installation) return installation.error();
  auto views = ReadModels::open(options.store.data_dir, installation->secrets.pepper);
  if (!views) return views.error();
  auto& log = *installation->log;
  auto& keys = *installation->keys;
  projections::Projector live(log, keys, *(*views)->store, std::vector<projections::Binding>{});
  auto outdated = projections::bind_live(live, *(*views)->store, (*views)->all());
  if (!outdated) return outdated.error();
  Rebuilds rebuilds(**views, live, log, keys);
  AdminCommands commands;
  rebuilds.add_to(commands);
  return result_of(commands.answer(request));
}

// Prints `report` as one JSON line; returns 0, or 1 after logging `what` failed.
int print(const Result<json>& report, std::string_view what) {
  if (!report) {
    infra::log_error(what, {{"error", report.error().message}, {"field", report.error().field}});
    return 1;
  }
  std::cout << report->dump() << std::endl;
  return 0;
}

}  // namespace

CLI::App* add_projections_command(CLI::App& app, ProjectionsOptions& options) {
  auto* projections = app.add_subcommand("projections", "What ops see of the read models");
  projections->require_subcommand(1);
  auto* status = projections->add_subcommand(
      "status",
      "Per read model: version, state, events folded per second, and per partition its "
      "checkpoint, the log's end and the lag (JSON). Works while the service runs.");
  add_store_options(*status, options.store);
  status
      ->add_option("--sample", options.sample_seconds,
                   "Seconds between the two looks at the checkpoints that give the fold rates; "
                   "0 skips the rates")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  auto* verify = projections->add_subcommand(
      "verify",
      "Fold the log afresh into a scratch store, each read model up to where its live build is, "
      "and compare digests (JSON); exits 1 on any difference. Works while the service runs.");
  add_store_options(*verify, options.store);
  auto* rebuild = projections->add_subcommand(
      "rebuild",
      "Build read models afresh beside their live builds and switch to the new builds once caught "
      "up (JSON). The running service does it when there is one, else this command.");
  add_store_options(*rebuild, options.store);
  auto* names = rebuild->add_option("names", options.rebuild, "Read models to rebuild")
                    ->check(CLI::IsMember(kModelNames));
  rebuild->add_flag("--all", options.rebuild_all, "Rebuild every read model")->excludes(names);
  return projections;
}

int run_projections(const CLI::App& command, const ProjectionsOptions& options) {
  if (command.got_subcommand("rebuild")) {
    const auto request = Rebuilds::request(options.rebuild, options.rebuild_all);
    return print(send_admin_request(options.store.data_path(), request,
                                    [&] { return rebuild_here(options, request); }),
                 "cannot rebuild the read models");
  }
  if (command.got_subcommand("verify")) {
    const auto report = verify_command(options);
    const int code = print(report, "cannot verify the read models");
    return code != 0 || !(*report)["equal"].get<bool>() ? 1 : 0;
  }
  if (command.got_subcommand("status")) {
    return print(status_command(options), "cannot read the status");
  }
  return 2;
}

}  // namespace clientele::tools
