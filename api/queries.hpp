#pragma once
// What every query route does around its read (DESIGN.md §5): wait for the position the request
// carries (read_your_writes.hpp), read one snapshot of the read models, and find each model's
// live namespace on it.

#include <functional>

#include "api/http.hpp"
#include "api/read_your_writes.hpp"
#include "projections/read_model.hpp"
#include "projections/read_model_store.hpp"

namespace clientele::api {

// The live namespace of `model` on `snapshot`; errc::unavailable while it is not built.
Result<projections::Namespace> live(const projections::Snapshot& snapshot,
                                    const projections::ReadModel& model);

// Answers `query` on one snapshot of `store`, once the position `request` carries is folded or
// the wait for it timed out (then the answer is marked stale); a malformed position is 400.
Response answer_query(const ReadYourWrites& read_your_writes, projections::ReadModelStore& store,
                      const Request& request,
                      const std::function<Response(const projections::Snapshot&)>& query);

}  // namespace clientele::api
