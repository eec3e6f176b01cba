#include "tools/erasures.hpp"

#include <thread>

#include "infra/clock.hpp"
#include "infra/uuid.hpp"

namespace clientele::tools {
namespace {

// The longest the settling of one erasure waits for the read models to fold it before it is
// tried again (ErasureDeskOptions::retry_after later); short, so that a stop is not held up.
constexpr std::chrono::seconds kFoldWait{2};

constexpr std::string_view kErase = "erasure.erase";
// How long the admin channel's erasure waits for the erasure to complete.
constexpr std::chrono::minutes kEraseWait{2};

Actor staff(const std::string& requested_by) {
  return Actor{UserId(requested_by), Role::Administrator};
}

}  // namespace

std::vector<commands::ErasureService::Forget> forget_elsewhere(infra::OutboxNotifier& outbox,
                                                               infra::RocksDbAuthStore& sessions) {
  return {[&outbox](const CustomerId& customer) -> Result<void> {
            auto forgotten = outbox.forget_customer(customer);
            if (!forgotten) return forgotten.error();
            return success();
          },
          [&sessions](const CustomerId& customer) {
            return sessions.revoke_all(UserId(customer.str()));
          }};
}

nlohmann::json erasure_command(const commands::ErasureRequest& request) {
  return {{"command", kErase},
          {"customerId", request.customer_id.str()},
          {"reasonCode", request.reason_code},
          {"legalBasis", request.legal_basis},
          {"requestedBy", request.requested_by}};
}

void add_erasure_commands(AdminCommands& commands, commands::ErasureDesk& desk) {
  commands.add(
      std::string(kErase), [&desk](const nlohmann::json& request) -> Result<nlohmann::json> {
        auto record = desk.submit({CustomerId(request.at("customerId").get<std::string>()),
                                   request.at("reasonCode").get<std::string>(),
                                   request.at("legalBasis").get<std::string>(),
                                   request.at("requestedBy").get<std::string>()});
        if (!record) return record.error();
        const auto until = std::chrono::steady_clock::now() + kEraseWait;
        while (std::chrono::steady_clock::now() < until) {
          auto found = desk.find(record->id);
          if (!found) return found.error();
          if (*found && (*found)->status == commands::ErasureStatus::completed) {
            return commands::to_json(*(*found)->receipt);
          }
          if (*found && (*found)->status == commands::ErasureStatus::failed) {
            return make_error(errc::conflict, "", (*found)->failure);
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return make_error(errc::unavailable, "",
                          "the erasure " + record->id + " is still being carried out; it goes on");
      });
}

Result<Erasures> start_erasures(Installation& installation, Accounts& accounts,
                                const projections::Projector& projector,
                                projections::ReadModelStore& views) {
  auto& customers = *accounts.customers;
  Erasures out;
  out.service = std::make_unique<commands::ErasureService>(
      *installation.log, *installation.keys, infra::utc_now, infra::uuid_v7,
      forget_elsewhere(*accounts.outbox, *accounts.sessions),
      [&customers](const CustomerId& customer, const customer::Erase& erase, const Actor& actor) {
        auto erased = customers.execute(customer, erase, actor);
        if (!erased) return Result<void>(erased.error());
        return success();
      });
  auto& service = *out.service;
  out.desk = std::make_unique<commands::ErasureDesk>(
      *accounts.write_model,
      [&customers](const commands::ErasureRequest& r) {
        return customers.check(r.customer_id,
                               customer::Erase{r.reason_code, r.legal_basis, r.requested_by},
                               staff(r.requested_by));
      },
      [&service](const commands::ErasureRequest& r) {
        return service.erase(r, staff(r.requested_by));
      },
      [&projector, &views](const commands::ErasureReceipt& receipt) -> Result<void> {
        // The read models drop the customer's personal values as they fold customer.erased;
        // compacting then leaves no copy of them in the store's files.
        if (!projector.wait_for(receipt.position, kFoldWait)) {
          return make_error(errc::unavailable, "", "the read models have not folded it yet");
        }
        return views.compact();
      },
      [] { return "ERA_" + infra::uuid_v7(infra::utc_now()); }, infra::utc_now);
  if (auto started = out.desk->start(); !started) return started.error();
  return out;
}

}  // namespace clientele::tools
