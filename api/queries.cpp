#include "api/queries.hpp"

#include <string>

#include "projections/rebuild.hpp"

namespace clientele::api {

Result<projections::Namespace> live(const projections::Snapshot& snapshot,
                                    const projections::ReadModel& model) {
  auto ns = projections::live_namespace(snapshot, model.name());
  if (!ns) return ns.error();
  if (!*ns) {
    return make_error(errc::unavailable, "",
                      "the read model " + std::string(model.name()) + " is not built yet");
  }
  return **ns;
}

Response answer_query(const ReadYourWrites& read_your_writes, projections::ReadModelStore& store,
                      const Request& request,
                      const std::function<Response(const projections::Snapshot&)>& query) {
  const auto waited = read_your_writes.wait(request);
  if (waited.refused) return *waited.refused;
  auto response = query(*store.snapshot());
  ReadYourWrites::mark(response, waited);
  return response;
}

}  // namespace clientele::api
