#include "tools/projections_command.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "infra/logging.hpp"
#include "projections/projector.hpp"
#include "projections/rebuild.hpp"
#include "tools/installation.hpp"
#include "tools/read_models.hpp"

namespace clientele::tools {
namespace {

using nlohmann::json;

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
// lag between them per partition.
Result<json> status(const ReadModels& views, events::EventReader& log) {
  std::vector<events::Offset> ends;
  for (std::int32_t p = 0; p < log.partition_count(); ++p) {
    auto end = log.end_offset(events::Partition{p});
    if (!end) return end.error();
    ends.push_back(*end);
  }
  const auto snapshot = views.store->snapshot();
  auto listed = list_namespaces(views, *snapshot);
  if (!listed) return listed.error();
  json models = json::array();
  for (const auto& [ns, state] : *listed) {
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
    auto ends = checkpoints_of(*live, **ns, log);
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

// The names `projections rebuild` accepts.
const std::vector<std::string> kModelNames{"address_book",       "audit_timeline",
                                           "customer_analytics", "customer_list",
                                           "customer_profile",   "customer_search"};

// Rebuilds the read models `options` names, one after the other; returns their new namespaces.
Result<json> rebuild(const ReadModels& views, events::EventReader& log, events::KeyStore& keys,
                     const ProjectionsOptions& options) {
  if (!options.rebuild_all && options.rebuild.empty())
    return make_error(errc::invalid, "names", "name the read models to rebuild, or give --all");
  projections::Projector live(log, keys, *views.store, std::vector<projections::Binding>{});
  auto outdated = projections::bind_live(live, *views.store, views.all());
  if (!outdated) return outdated.error();
  json rebuilt = json::array();
  for (const auto* model : views.all()) {
    const auto& names = options.rebuild;
    if (!options.rebuild_all &&
        std::find(names.begin(), names.end(), model->name()) == names.end()) {
      continue;
    }
    auto ns = projections::rebuild(*model, live, log, keys, *views.store);
    if (!ns) return ns.error();
    rebuilt.push_back({{"name", model->name()}, {"namespace", ns->str()}});
  }
  return json{{"rebuilt", std::move(rebuilt)}};
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
  auto* rebuild = projections->add_subcommand(
      "rebuild",
      "Build read models afresh beside their live builds and switch to the new builds once caught "
      "up (JSON). Needs the service stopped when the event log is embedded; the service itself "
      "rebuilds a read model whose version changed.");
  add_store_options(*rebuild, options.store);
  auto* names = rebuild->add_option("names", options.rebuild, "Read models to rebuild")
                    ->check(CLI::IsMember(kModelNames));
  rebuild->add_flag("--all", options.rebuild_all, "Rebuild every read model")->excludes(names);
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
  if (command.got_subcommand("rebuild")) {
    auto report = rebuild(**views, *installation->log, *installation->keys, options);
    if (!report) {
      infra::log_error("cannot rebuild the read models", {{"error", report.error().message}});
      return 1;
    }
    std::cout << report->dump() << std::endl;
    return 0;
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
