#include "tools/erase.hpp"

#include <iostream>

#include "commands/erasure.hpp"
#include "infra/clock.hpp"
#include "infra/logging.hpp"
#include "infra/outbox_notifier.hpp"
#include "infra/rocksdb_auth_store.hpp"
#include "infra/uuid.hpp"
#include "tools/accounts.hpp"
#include "tools/installation.hpp"

namespace clientele::tools {
namespace {

int fail(std::string_view what, const Error& error) {
  infra::log_error(what, {{"error", error.message}, {"field", error.field}});
  return 1;
}

}  // namespace

int run_erase(const EraseOptions& options) {
  auto installation = open_installation(options.store);
  if (!installation) return fail("cannot open the installation", installation.error());
  if (!options.verify.empty()) {
    commands::ErasureService erasure(*installation->log, *installation->keys, infra::utc_now,
                                     infra::uuid_v7);
    auto check = erasure.verify(CustomerId(options.verify));
    if (!check) return fail("cannot verify the erasure", check.error());
    std::cout << commands::to_json(*check).dump() << std::endl;
    return check->passed() ? 0 : 1;
  }
  // Codes in flight to the customer, and the customer's sessions, go with the key.
  const auto data = options.store.data_path();
  auto outbox = infra::OutboxNotifier::open(data / "outbox");
  if (!outbox) return fail("cannot open the outbox", outbox.error());
  auto sessions = infra::RocksDbAuthStore::open(
      data / "auth", events::derive_key(installation->secrets.pepper, kOneTimeCodesPurpose));
  if (!sessions) return fail("cannot open the auth store", sessions.error());
  commands::ErasureService erasure(*installation->log, *installation->keys, infra::utc_now,
                                   infra::uuid_v7,
                                   {[&](const CustomerId& customer) -> Result<void> {
                                      auto forgotten = (*outbox)->forget_customer(customer);
                                      if (!forgotten) return forgotten.error();
                                      return success();
                                    },
                                    [&](const CustomerId& customer) {
                                      return (*sessions)->revoke_all(UserId(customer.str()));
                                    }});
  const commands::ErasureRequest request{CustomerId(options.customer), options.reason,
                                         options.legal_basis, options.requested_by};
  auto receipt = erasure.erase(request, Actor{UserId(options.requested_by), Role::Administrator});
  if (!receipt) return fail("erasure refused", receipt.error());
  infra::log_info("customer erased", {{"customerId", options.customer},
                                      {"position", events::to_string(receipt->position)},
                                      {"alreadyErased", receipt->already_erased}});
  std::cout << commands::to_json(*receipt).dump() << std::endl;
  return 0;
}

}  // namespace clientele::tools
