#include "tools/projections_command.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "infra/logging.hpp"
#include "projections/projector.hpp"
#include "tools/installation.hpp"
#include "tools/read_models.hpp"

namespace clientele::tools {
namespace {

using nlohmann::json;

// The status of the service's read models and of every other namespace in the store: a
// current model is "live" once its namespace exists and "absent" before the service first ran
// it; other namespaces (versions the service no longer folds) are "retired".
Result<json> status(const ReadModels& views, events::EventReader& log) {
  std::vector<events::Offset> ends;
  for (std::int32_t p = 0; p < log.partition_count(); ++p) {
    auto end = log.end_offset(events::Partition{p});
    if (!end) return end.error();
    ends.push_back(*end);
  }
  const auto stored = views.store->namespaces();
  std::vector<std::pair<projections::Namespace, std::string>> listed;
  for (const auto* model : views.all()) {
    const bool exists = std::find(stored.begin(), stored.end(), model->ns()) != stored.end();
    listed.emplace_back(model->ns(), exists ? "live" : "absent");
  }
  for (const auto& ns : stored) {
    if (std::none_of(listed.begin(), listed.end(), [&](const auto& l) { return l.first == ns; }))
      listed.emplace_back(ns, "retired");
  }
  const auto snapshot = views.store->snapshot();
  json models = json::array();
  for (const auto& [ns, state] : listed) {
    json partitions = json::array();
    std::int64_t lag = 0;
    for (std::int32_t p = 0; p < log.partition_count(); ++p) {
      events::Offset checkpoint{0};
      if (state != "absent") {
        auto stored_checkpoint = projections::read_checkpoint(*snapshot, ns, events::Partition{p});
        if (!stored_checkpoint) return stored_checkpoint.error();
        checkpoint = *stored_checkpoint;
      }
      const auto end = ends[static_cast<std::size_t>(p)];
      const auto behind = std::max<std::int64_t>(0, end.value - checkpoint.value);
      lag += behind;
      partitions.push_back({{"partition", p},
                            {"checkpoint", checkpoint.value},
                            {"end", end.value},
                            {"lag", behind}});
    }
    models.push_back({{"name", ns.model},
                      {"version", ns.version},
                      {"state", state},
                      {"lag", lag},
                      {"partitions", std::move(partitions)}});
  }
  std::sort(models.begin(), models.end(), [](const json& a, const json& b) {
    return std::tie(a["name"], a["version"]) < std::tie(b["name"], b["version"]);
  });
  return json{{"models", std::move(models)}};
}

// The live checkpoints of `ns`, one per partition of `log`.
Result<std::vector<events::Offset>> checkpoints_of(const projections::Snapshot& snapshot,
                                                   const projections::Namespace& ns,
                                                   const events::EventReader& log) {
  std::vector<events::Offset> out;
  for (std::int32_t p = 0; p < log.partition_count(); ++p) {
    auto checkpoint = projections::read_checkpoint(snapshot, ns, events::Partition{p});
    if (!checkpoint) return checkpoint.error();
    out.push_back(*checkpoint);
  }
  return out;
}

// Folds the log afresh into a scratch store in `scratch`, each model up to where its live
// version is, and compares the digests of the two. Models folded to the same checkpoints are
// folded together, in one pass over the log.
Result<json> verify(const ReadModels& views, events::EventReader& log, events::KeyStore& keys,
                    const std::filesystem::path& scratch) {
  const auto live = views.store->snapshot();
  const auto stored = views.store->namespaces();
  std::map<std::vector<std::int64_t>, std::vector<const projections::ReadModel*>> groups;
  std::map<std::string, std::vector<events::Offset>> ends_of;
  json models = json::array();
  for (const auto* model : views.all()) {
    if (std::find(stored.begin(), stored.end(), model->ns()) == stored.end()) {
      models.push_back(
          {{"name", model->name()}, {"version", model->version()}, {"state", "absent"}});
      continue;
    }
    auto ends = checkpoints_of(*live, model->ns(), log);
    if (!ends) return ends.error();
    std::vector<std::int64_t> key;
    for (const auto& end : *ends) key.push_back(end.value);
    groups[key].push_back(model);
    ends_of[std::string(model->name())] = *ends;
  }
  auto fresh_store = infra::RocksDbReadModelStore::open(scratch);
  if (!fresh_store) return fresh_store.error();
  for (const auto& [key, group] : groups) {
    projections::Projector fresh(log, keys, **fresh_store, group);
    if (auto folded = fresh.catch_up_to(ends_of[std::string(group.front()->name())]); !folded)
      return folded.error();
  }
  const auto fresh = (*fresh_store)->snapshot();
  bool all_equal = true;
  for (const auto& [key, group] : groups) {
    for (const auto* model : group) {
      auto live_digest = projections::digest(*live, model->ns());
      if (!live_digest) return live_digest.error();
      auto fresh_digest = projections::digest(*fresh, model->ns());
      if (!fresh_digest) return fresh_digest.error();
      std::int64_t events = 0;
      for (const auto end : key) events += end;
      const bool equal = *live_digest == *fresh_digest;
      all_equal = all_equal && equal;
      models.push_back({{"name", model->name()},
                        {"version", model->version()},
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

}  // namespace

CLI::App* add_projections_command(CLI::App& app, ProjectionsOptions& options) {
  auto* projections = app.add_subcommand("projections", "What ops see of the read models");
  projections->require_subcommand(1);
  auto* status = projections->add_subcommand(
      "status",
      "Per read model: version, state, and per partition its checkpoint, the log's end and the "
      "lag (JSON). Needs the service stopped when the event log is embedded.");
  add_store_options(*status, options.store);
  auto* verify = projections->add_subcommand(
      "verify",
      "Fold the log afresh into a scratch store, each read model up to where its live version is, "
      "and compare digests (JSON); exits 1 on any difference. Needs the service stopped when the "
      "event log is embedded.");
  add_store_options(*verify, options.store);
  return projections;
}

int run_projections(const CLI::App& command, const ProjectionsOptions& options) {
  auto installation = open_installation(options.store);
  if (!installation) {
    infra::log_error("cannot open the installation", {{"error", installation.error().message}});
    return 1;
  }
  auto views = ReadModels::open(options.store.data_dir, installation->secrets.pepper);
  if (!views) {
    infra::log_error("cannot open the read models", {{"error", views.error().message}});
    return 1;
  }
  if (command.got_subcommand("verify")) {
    const auto scratch = std::filesystem::absolute(options.store.data_dir) / "views-verify";
    std::filesystem::remove_all(scratch);
    auto report = verify(**views, *installation->log, *installation->keys, scratch);
    std::error_code ignored;
    std::filesystem::remove_all(scratch, ignored);
    if (!report) {
      infra::log_error("cannot verify the read models", {{"error", report.error().message}});
      return 1;
    }
    std::cout << report->dump() << std::endl;
    return (*report)["equal"].get<bool>() ? 0 : 1;
  }
  if (command.got_subcommand("status")) {
    auto report = status(**views, *installation->log);
    if (!report) {
      infra::log_error("cannot read the status", {{"error", report.error().message}});
      return 1;
    }
    std::cout << report->dump() << std::endl;
    return 0;
  }
  return 2;
}

}  // namespace clientele::tools
