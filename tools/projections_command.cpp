#include "tools/projections_command.hpp"

#include <algorithm>
#include <iostream>
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

}  // namespace

CLI::App* add_projections_command(CLI::App& app, ProjectionsOptions& options) {
  auto* projections = app.add_subcommand("projections", "What ops see of the read models");
  projections->require_subcommand(1);
  auto* status = projections->add_subcommand(
      "status",
      "Per read model: version, state, and per partition its checkpoint, the log's end and the "
      "lag (JSON). Needs the service stopped when the event log is embedded.");
  add_store_options(*status, options.store);
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
