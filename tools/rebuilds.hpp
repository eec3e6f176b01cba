#pragma once
// Blue-green rebuilds of the installation's read models (DESIGN.md §5, projections/rebuild.hpp)
// as the service runs them — at startup for read models whose version changed, and on request
// over its admin channel — and as `clientele projections rebuild` runs them when no service does.

#include <mutex>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "projections/projector.hpp"
#include "projections/read_model.hpp"
#include "tools/admin.hpp"
#include "tools/read_models.hpp"

namespace clientele::tools {

class Rebuilds {
 public:
  // The admin command that rebuilds read models:
  //   {"command":"projections.rebuild","models":["customer_profile",...]} or {...,"all":true}
  //   → {"rebuilt":[{"name":"customer_profile","namespace":"customer_profile.v1.b1"},...]}
  static constexpr std::string_view kCommand = "projections.rebuild";
  // That command's request for the read models `names`, or for every one when `all`.
  static nlohmann::json request(const std::vector<std::string>& names, bool all);

  // `views`, `live` — the projector folding them: the service's, or one made for the call — `log`
  // and `keys` must outlive this object. `stop` cancels a rebuild in progress (the service stops).
  Rebuilds(const ReadModels& views, projections::Projector& live, events::EventReader& log,
           events::KeyStore& keys, std::stop_token stop = {});
  Rebuilds(const Rebuilds&) = delete;
  Rebuilds& operator=(const Rebuilds&) = delete;

  // Rebuilds `model` beside its live build and switches to the new one, logging `reason` and how
  // it went. Returns the new namespace. Thread-safe: rebuilds run one at a time, since each
  // pauses and rebinds the projector.
  Result<projections::Namespace> rebuild(const projections::ReadModel& model,
                                         std::string_view reason);

  // Adds kCommand to `commands`; this object must outlive them.
  void add_to(AdminCommands& commands);

 private:
  // kCommand: rebuilds the read models `request` names, in the order of ReadModels::all().
  // errc::invalid when it names none, or one that does not exist.
  Result<nlohmann::json> execute(const nlohmann::json& request);

  const ReadModels& views_;       // the read models and their store
  projections::Projector& live_;  // folds the read models' live builds
  events::EventReader& log_;      // the log the rebuilds fold
  events::KeyStore& keys_;        // opens the events
  const std::stop_token stop_;    // cancels a rebuild in progress
  std::mutex one_at_a_time_;      // held while a rebuild runs
};

}  // namespace clientele::tools
