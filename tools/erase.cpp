#include "tools/erase.hpp"

#include <iostream>

#include "commands/erasure.hpp"
#include "infra/clock.hpp"
#include "infra/logging.hpp"
#include "infra/uuid.hpp"
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
  commands::ErasureService erasure(*installation->log, *installation->keys, infra::utc_now,
                                   infra::uuid_v7);
  if (!options.verify.empty()) {
    auto check = erasure.verify(CustomerId(options.verify));
    if (!check) return fail("cannot verify the erasure", check.error());
    std::cout << commands::to_json(*check).dump() << std::endl;
    return check->passed() ? 0 : 1;
  }
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
