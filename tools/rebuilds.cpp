#include "tools/rebuilds.hpp"

#include <algorithm>

#include "infra/logging.hpp"
#include "projections/rebuild.hpp"

namespace clientele::tools {

using nlohmann::json;

json Rebuilds::request(const std::vector<std::string>& names, bool all) {
  json request{{"command", kCommand}};
  if (all) {
    request["all"] = true;
  } else {
    request["models"] = names;
  }
  return request;
}

Rebuilds::Rebuilds(const ReadModels& views, projections::Projector& live, events::EventReader& log,
                   events::KeyStore& keys, std::stop_token stop)
    : views_(views), live_(live), log_(log), keys_(keys), stop_(std::move(stop)) {}

Result<projections::Namespace> Rebuilds::rebuild(const projections::ReadModel& model,
                                                 std::string_view reason) {
  std::lock_guard lock(one_at_a_time_);
  infra::log_info("rebuilding a read model",
                  {{"model", model.name()}, {"version", model.version()}, {"reason", reason}});
  auto rebuilt = projections::rebuild(model, live_, log_, keys_, *views_.store, {}, stop_);
  if (!rebuilt) {
    infra::log_error("a read model was not rebuilt",
                     {{"model", model.name()}, {"error", rebuilt.error().message}});
    return rebuilt.error();
  }
  infra::log_info("read model rebuilt", {{"model", model.name()}, {"namespace", rebuilt->str()}});
  return rebuilt;
}

void Rebuilds::add_to(AdminCommands& commands) {
  commands.add(std::string(kCommand), [this](const json& request) { return execute(request); });
}

Result<json> Rebuilds::execute(const json& request) {
  const bool all = request.value("all", false);
  const auto names = request.value("models", std::vector<std::string>{});
  if (!all && names.empty()) {
    return make_error(errc::invalid, "models", "name the read models to rebuild, or give all");
  }
  const auto models = views_.all();
  for (const auto& name : names) {
    if (std::none_of(models.begin(), models.end(),
                     [&](const auto* model) { return model->name() == name; })) {
      return make_error(errc::invalid, "models", "there is no read model " + name);
    }
  }
  json rebuilt = json::array();
  for (const auto* model : models) {
    if (!all && std::find(names.begin(), names.end(), model->name()) == names.end()) continue;
    auto ns = rebuild(*model, "requested");
    if (!ns) return ns.error();
    rebuilt.push_back({{"name", model->name()}, {"namespace", ns->str()}});
  }
  return json{{"rebuilt", std::move(rebuilt)}};
}

}  // namespace clientele::tools
