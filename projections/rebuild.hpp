#pragma once
// Which build of each read model queries read, and blue-green rebuilds (DESIGN.md §5).
//
// The catalog — the namespace "catalog.v1", one row per model: its name → the live namespace —
// says which namespace of each model is live. Queries resolve a model through the catalog in the
// same snapshot they read the rows from, so switching the catalog to a new build is atomic for
// them: a query sees the old build whole or the new one whole, never a half-built model.

#include <optional>
#include <stop_token>
#include <string_view>

#include "events/event_log.hpp"
#include "events/key_store.hpp"
#include "projections/projector.hpp"
#include "projections/read_model.hpp"
#include "projections/read_model_store.hpp"

namespace clientele::projections {

// The namespace holding the catalog.
inline const Namespace kCatalog{"catalog", 1};

// The live namespace of `model` as `snapshot` sees it; nullopt when the catalog names none.
Result<std::optional<Namespace>> live_namespace(const Snapshot& snapshot, std::string_view model);

// Records in `batch` that `ns` is the live namespace of its model.
void set_live_namespace(WriteBatch& batch, const Namespace& ns);

// Builds `model` afresh into a new namespace beside its live one and makes it live:
//   1. folds the whole log into the new namespace (with `options`' workers) while `live` — the
//      service's projector — keeps folding the old one, and queries keep reading it;
//   2. pauses `live` (if it runs), folds the few events appended meanwhile, switches the catalog
//      to the new namespace in one commit, binds `live` to it and resumes `live`;
//   3. drops the old namespace, and any unfinished build of the model left by an earlier attempt.
// The new namespace is the model's current version (ReadModel::version()), next build. Returns
// it. On an error before the switch — or when `stop` is requested during step 1 (unavailable) —
// nothing changes for queries; the unfinished build stays until the next attempt drops it.
Result<Namespace> rebuild(const ReadModel& model, Projector& live, events::EventReader& log,
                          events::KeyStore& keys, ReadModelStore& store,
                          ProjectorOptions options = {}, std::stop_token stop = {});

// Makes sure every model of `live` has a live namespace, at the start of the service: a model the
// catalog does not name yet is recorded live in its own namespace (a new installation, or a new
// model); a model whose live namespace is its current version is bound to that namespace. Returns
// the models whose live namespace has another version (their fold changed): they are left
// unbound, and the caller rebuilds them (their old build keeps answering queries meanwhile).
Result<std::vector<const ReadModel*>> bind_live(Projector& live, ReadModelStore& store,
                                                const std::vector<const ReadModel*>& models);

}  // namespace clientele::projections
