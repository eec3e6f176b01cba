#pragma once
// Erasure as the service and `clientele erase` compose it (DESIGN.md §3): what is cleared besides
// the key, and — in the service — the desk that carries out the erasures asked for over HTTP.

#include <memory>
#include <vector>

#include "commands/erasure.hpp"
#include "commands/erasure_desk.hpp"
#include "infra/outbox_notifier.hpp"
#include "infra/rocksdb_auth_store.hpp"
#include "projections/projector.hpp"
#include "projections/read_model_store.hpp"
#include "tools/accounts.hpp"
#include "tools/admin.hpp"
#include "tools/installation.hpp"

namespace clientele::tools {

// What goes with an erased customer's key besides the log: the codes in flight to them (the
// outbox) and their sessions.
std::vector<commands::ErasureService::Forget> forget_elsewhere(infra::OutboxNotifier& outbox,
                                                               infra::RocksDbAuthStore& sessions);

// The service's erasures: appended through the command strands, then settled once the read models
// have folded them and their files are compacted.
struct Erasures {
  std::unique_ptr<commands::ErasureService> service;
  std::unique_ptr<commands::ErasureDesk> desk;  // started
};

// The admin channel's request to erase: {"command":"erasure.erase", customerId, reasonCode,
// legalBasis, requestedBy}. Its result is the receipt (commands::to_json).
nlohmann::json erasure_command(const commands::ErasureRequest& request);

// Adds "erasure.erase" to `commands`: hands the request to `desk` and answers the receipt once the
// erasure is completed; errc::unavailable, naming the erasure, when that takes longer than two
// minutes (it goes on). `desk` must outlive `commands`.
void add_erasure_commands(AdminCommands& commands, commands::ErasureDesk& desk);

// Composes and starts the erasures of the service. Every argument must outlive the result.
Result<Erasures> start_erasures(Installation& installation, Accounts& accounts,
                                const projections::Projector& projector,
                                projections::ReadModelStore& views);

}  // namespace clientele::tools
