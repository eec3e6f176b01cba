#include "tools/erase.hpp"

#include <iostream>

#include "commands/erasure.hpp"
#include "infra/clock.hpp"
#include "infra/logging.hpp"
#include "infra/outbox_notifier.hpp"
#include "infra/rocksdb_auth_store.hpp"
#include "infra/uuid.hpp"
#include "tools/accounts.hpp"
#include "tools/admin.hpp"
#include "tools/erasures.hpp"
#include "tools/installation.hpp"

namespace clientele::tools {
namespace {

using nlohmann::json;

int fail(std::string_view what, const Error& error) {
  infra::log_error(what, {{"error", error.message}, {"field", error.field}});
  return 1;
}

// `erase` in this process, when no service runs: opens the stores and erases as the service
// does; the read models drop the customer's values when the service next folds the log.
Result<json> erase_here(const EraseOptions& options, Installation& installation,
                        const commands::ErasureRequest& request) {
  // Codes in flight to the customer, and the customer's sessions, go with the key.
  const auto data = options.store.data_path();
  auto outbox = infra::OutboxNotifier::open(data / "outbox");
  if (!outbox) return outbox.error();
  auto sessions = infra::RocksDbAuthStore::open(
      data / "auth", events::derive_key(installation.secrets.pepper, kOneTimeCodesPurpose));
  if (!sessions) return sessions.error();
  commands::ErasureService erasure(*installation.log, *installation.keys, infra::utc_now,
                                   infra::uuid_v7, forget_elsewhere(**outbox, **sessions));
  auto receipt = erasure.erase(request, Actor{UserId(request.requested_by), Role::Administrator});
  if (!receipt) return receipt.error();
  return commands::to_json(*receipt);
}

int verify(const EraseOptions& options) {
  auto installation = open_installation(options.store);
  if (!installation) return fail("cannot open the installation", installation.error());
  commands::ErasureService erasure(*installation->log, *installation->keys, infra::utc_now,
                                   infra::uuid_v7);
  auto check = erasure.verify(CustomerId(options.verify));
  if (!check) return fail("cannot verify the erasure", check.error());
  std::cout << commands::to_json(*check).dump() << std::endl;
  return check->passed() ? 0 : 1;
}

}  // namespace

int run_erase(const EraseOptions& options) {
  if (!options.verify.empty()) return verify(options);
  const commands::ErasureRequest request{CustomerId(options.customer), options.reason,
                                         options.legal_basis, options.requested_by};
  auto receipt = send_admin_request(options.store.data_path(), erasure_command(request), [&] {
    auto installation = open_installation(options.store);
    if (!installation) return Result<json>(installation.error());
    return erase_here(options, *installation, request);
  });
  if (!receipt) return fail("erasure refused", receipt.error());
  infra::log_info("customer erased", {{"customerId", options.customer},
                                      {"position", receipt->value("position", "")},
                                      {"alreadyErased", receipt->value("alreadyErased", false)}});
  std::cout << receipt->dump() << std::endl;
  return 0;
}

}  // namespace clientele::tools
