#pragma once
// What the API's routes answer from, over a real embedded log, write-side store and auth store
// in a temporary directory (keys in memory): enough to build the server's whole route table
// (api/routes.hpp) in a test.

#include <memory>

#include "api/routes.hpp"
#include "commands/auth_service.hpp"
#include "commands/complaint_commands.hpp"
#include "commands/erasure_desk.hpp"
#include "commands/order_commands.hpp"
#include "infra/clock.hpp"
#include "infra/outbox_notifier.hpp"
#include "infra/rocksdb_auth_store.hpp"
#include "infra/rocksdb_write_model.hpp"
#include "infra/uuid.hpp"
#include "tests/support/memory_key_store.hpp"

namespace clientele::testing {

struct ApiStack {
  // `log`, `store` and `projector` must outlive the stack; its own stores go under `dir`.
  ApiStack(events::EventLog& log, projections::ReadModelStore& store,
           const projections::Projector& projector, const std::filesystem::path& dir)
      : write_model(std::move(infra::RocksDbWriteModel::open(dir / "commands").value())),
        auth_store(std::move(
            infra::RocksDbAuthStore::open(dir / "auth", events::SecretKey::random()).value())),
        bus(log, keys, *write_model, pepper, infra::uuid_v7),
        customers(bus, infra::utc_now, [] { return CustomerId("CUST_00000001"); }),
        orders(bus, infra::utc_now),
        complaints(bus, *auth_store, infra::utc_now, infra::random_complaint_id,
                   infra::random_comment_id),
        hasher(commands::PasswordHasher::create(commands::PasswordHashing::for_tests()).value()),
        outbox(std::move(infra::OutboxNotifier::open(dir / "outbox").value())),
        auth({customers, *auth_store, hasher, *auth_store, *auth_store, *outbox}),
        tokens(events::SecretKey::random(), "clientele", "clientele-api"),
        profiles(events::SecretKey(pepper.bytes())),
        list(events::SecretKey(pepper.bytes())),
        search(pepper),
        idempotency(*write_model, events::SecretKey::random(), infra::utc_now),
        read_your_writes(projector, log.partition_count()),
        erasure(log, keys, infra::utc_now, infra::uuid_v7),
        erasures(
            *write_model,
            [this](const commands::ErasureRequest& r) {
              return customers.check(r.customer_id,
                                     customer::Erase{r.reason_code, r.legal_basis, r.requested_by},
                                     Actor{UserId(r.requested_by), Role::Administrator});
            },
            [this](const commands::ErasureRequest& r) {
              return erasure.erase(r, Actor{UserId(r.requested_by), Role::Administrator});
            },
            [](const commands::ErasureReceipt&) { return success(); },
            [] { return infra::uuid_v7(infra::utc_now()); }, infra::utc_now),
        store(store),
        projector(projector) {}

  api::AuthRoutes auth_routes() {
    return {
        auth, tokens, backoff, rate_limit, idempotency, infra::utc_now, api::ThrottleClock::now};
  }
  api::CustomerRoutes customer_routes() {
    return {store, profiles, list, search, analytics, commerce, read_your_writes, infra::utc_now};
  }
  api::AddressRoutes address_routes() {
    return {customers,
            idempotency,
            store,
            profiles,
            addresses,
            read_your_writes,
            infra::random_address_id};
  }

  api::OrderRoutes order_routes() {
    return {orders, idempotency, store, order_model, read_your_writes};
  }
  api::ComplaintRoutes complaint_routes() {
    return {complaints, idempotency, store, complaint_model, read_your_writes};
  }

  // The server's whole route table (api/routes.hpp) over this stack; `lag` and `metrics` must
  // outlive the router.
  Result<api::Router> route_table(const api::LagMonitor& lag, const api::HttpMetrics& metrics) {
    return api::build_routes({.lag = lag,
                              .projector = projector,
                              .metrics = metrics,
                              .commands = bus.stats(),
                              .passwords = hasher,
                              .changes = customers,
                              .erasures = erasures,
                              .timeline = timeline,
                              .auth = auth_routes(),
                              .customers = customer_routes(),
                              .addresses = address_routes(),
                              .orders = order_routes(),
                              .complaints = complaint_routes()});
  }

  events::SecretKey pepper = events::SecretKey::random();
  MemoryKeyStore keys;
  std::unique_ptr<infra::RocksDbWriteModel> write_model;
  std::unique_ptr<infra::RocksDbAuthStore> auth_store;
  commands::CommandBus bus;
  commands::CustomerCommands customers;
  commands::OrderCommands orders;
  commands::ComplaintCommands complaints;
  commands::PasswordHasher hasher;
  std::unique_ptr<infra::OutboxNotifier> outbox;
  commands::AuthService auth;
  api::JwtCodec tokens;
  api::LoginBackoff backoff;
  api::RateLimiter rate_limit;
  projections::CustomerProfiles profiles;
  projections::CustomerList list;
  projections::CustomerSearch search;
  projections::CustomerAnalytics analytics;
  projections::CommerceAnalytics commerce;
  projections::AddressBook addresses;
  projections::AuditTimeline timeline;
  projections::Orders order_model;
  projections::Complaints complaint_model;
  api::Idempotency idempotency;
  api::ReadYourWrites read_your_writes;
  commands::ErasureService erasure;
  commands::ErasureDesk erasures;  // not started: it records the erasures asked for
  projections::ReadModelStore& store;
  const projections::Projector& projector;
};

}  // namespace clientele::testing
