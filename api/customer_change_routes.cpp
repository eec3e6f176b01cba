#include "api/customer_change_routes.hpp"

#include <set>

#include "api/customer_fields.hpp"
#include "api/envelope.hpp"
#include "api/error_mapping.hpp"
#include "api/preconditions.hpp"
#include "api/request_reader.hpp"

namespace clientele::api {
namespace {

using nlohmann::json;
using projections::Snapshot;
using Commands = std::vector<customer::Command>;
using Plan = commands::CustomerCommands::Plan;

constexpr std::size_t kMaxTagLength = 30;

CustomerId customer_in_path(const Request& request) {
  return CustomerId(std::string(*request.param("customerId")));
}

// A plan that runs `commands` whatever the state.
Plan fixed(Commands commands) {
  return [commands = std::move(commands)](const customer::State&) -> Result<Commands> {
    return commands;
  };
}

// The staff's changes a body may carry (PUT /:customerId, and the updates of a bulk update).
struct StaffChanges {
  std::optional<customer::Type> type;
  std::optional<customer::Status> status;
  std::string reason;
  std::optional<std::vector<std::string>> tags;
  std::optional<std::string> note;
  std::optional<bool> marketing_emails;
  std::optional<bool> marketing_sms;
  std::optional<PreferencesChange> preferences;
};

// One of the names of enum `E` in member `name`; `names` lists them for the problem.
template <class E>
std::optional<E> read_enum(RequestReader& body, std::string_view name, Presence presence,
                           std::string_view names) {
  const auto text = body.string(name, presence, 20);
  if (!text) return std::nullopt;
  auto value = enum_from_string<E>(*text);
  if (!value) body.fail(name, "must be one of " + std::string(names));
  return value;
}

std::optional<customer::Type> read_type(RequestReader& body, Presence presence) {
  return read_enum<customer::Type>(body, "customerType", presence, "Regular, Premium, VIP");
}

// Erased is not a status one sets: erasure is its own operation.
std::optional<customer::Status> read_status(RequestReader& body, Presence presence) {
  return read_enum<customer::Status>(body, "status", presence, "Active, Inactive, Suspended");
}

std::string read_reason(RequestReader& body) {
  return body.string("reason", Presence::optional, customer::kMaxStatusReason).value_or("");
}

std::optional<std::string> read_note(RequestReader& body, std::string_view name,
                                     Presence presence) {
  return body.string(name, presence, customer::kMaxNote);
}

// The commands of `changes` to a customer in `state` (whose preferences they change a part of).
Commands staff_commands(const StaffChanges& changes, const customer::State& state) {
  Commands out;
  if (changes.type) out.emplace_back(customer::ChangeType{*changes.type});
  if (changes.status) out.emplace_back(customer::ChangeStatus{*changes.status, changes.reason});
  if (changes.tags) out.emplace_back(customer::SetTags{*changes.tags});
  if (changes.preferences) {
    out.emplace_back(customer::ChangePreferences{changes.preferences->over(state.preferences)});
  }
  if (changes.marketing_emails || changes.marketing_sms) {
    customer::UpdateProfile consent;
    consent.marketing_emails = changes.marketing_emails;
    consent.marketing_sms = changes.marketing_sms;
    out.emplace_back(std::move(consent));
  }
  if (changes.note) out.emplace_back(customer::AddNote{*changes.note});
  return out;
}

class Routes {
 public:
  explicit Routes(const CustomerChangeRoutes& r) : r_(r) {}

  Response update_me(const Request& request) {
    RequestReader body(request.body);
    customer::UpdateProfile profile;
    profile.first_name = body.string("firstName", Presence::optional, 100);
    profile.last_name = body.string("lastName", Presence::optional, 100);
    profile.phone = body.string("phone", Presence::optional, 20);
    profile.date_of_birth = read_date(body, "dateOfBirth", Presence::optional);
    profile.gender = read_gender(body, "gender", Presence::optional);
    profile.company_name = body.string("companyName", Presence::optional, 100);
    profile.marketing_emails = body.boolean("marketingEmails", Presence::optional);
    profile.marketing_sms = body.boolean("marketingSms", Presence::optional);
    const auto preferences = read_preferences(body, Presence::optional);
    if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
    return change(
        request, CustomerId(request.caller->id), Viewer::customer,
        [&](const customer::State& state) -> Result<Commands> {
          Commands out{profile};
          if (preferences) {
            out.emplace_back(customer::ChangePreferences{preferences->over(state.preferences)});
          }
          return out;
        });
  }

  Response update(const Request& request) {
    RequestReader body(request.body);
    StaffChanges changes;
    changes.type = read_type(body, Presence::optional);
    changes.tags = body.strings("tags", Presence::optional, customer::kMaxTags, kMaxTagLength);
    changes.note = read_note(body, "notes", Presence::optional);
    changes.preferences = read_preferences(body, Presence::optional);
    if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
    return change(request, customer_in_path(request), Viewer::staff,
                  [&](const customer::State& state) -> Result<Commands> {
                    return staff_commands(changes, state);
                  });
  }

  Response change_status(const Request& request) {
    RequestReader body(request.body);
    const auto status = read_status(body, Presence::required);
    auto reason = read_reason(body);
    if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
    return change(request, customer_in_path(request), Viewer::staff,
                  fixed({customer::ChangeStatus{*status, std::move(reason)}}));
  }

  Response change_type(const Request& request) {
    RequestReader body(request.body);
    const auto type = read_type(body, Presence::required);
    if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
    return change(request, customer_in_path(request), Viewer::staff,
                  fixed({customer::ChangeType{*type}}));
  }

  Response verify_email(const Request& request) {
    return change(request, customer_in_path(request), Viewer::staff,
                  fixed({customer::VerifyEmail{}}));
  }

  Response verify_phone(const Request& request) {
    return change(request, customer_in_path(request), Viewer::staff,
                  fixed({customer::VerifyPhone{}}));
  }

  // Soft: the customer stays, Inactive, and can no longer sign in. Refused while the customer
  // has active orders or open complaints (as the read models know them once they hold the
  // position the request carries): they are settled first.
  Response remove(const Request& request) {
    const auto customer = customer_in_path(request);
    auto unsettled =
        answer_query(r_.queries.read_your_writes, r_.queries.store, request,
                     [&](const Snapshot& snapshot) { return refusal(snapshot, customer); });
    if (unsettled.status != 200) return unsettled;
    return change(request, customer, Viewer::staff,
                  fixed({customer::ChangeStatus{customer::Status::Inactive, "deleted"}}), 200,
                  "customer deactivated");
  }

  Response add_note(const Request& request) {
    return r_.idempotency.run(request, [&] {
      RequestReader body(request.body);
      auto note = read_note(body, "note", Presence::required);
      if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
      return run(customer_in_path(request), request.actor(), std::nullopt, Viewer::staff,
                 fixed({customer::AddNote{std::move(*note)}}), 201, "note added");
    });
  }

  Response bulk_update(const Request& request) {
    return r_.idempotency.run(request, [&] { return bulk_update_once(request); });
  }

 private:
  // 200 when `customer` has no active order and no open complaint on `snapshot`; else the 400
  // naming them.
  Response refusal(const Snapshot& snapshot, const CustomerId& customer) const {
    auto orders_ns = live(snapshot, r_.orders);
    if (!orders_ns) return error_response(orders_ns.error());
    auto active = r_.orders.active(snapshot, *orders_ns, customer);
    if (!active) return error_response(active.error());
    auto list_ns = live(snapshot, r_.queries.list);
    if (!list_ns) return error_response(list_ns.error());
    auto figures = r_.queries.list.statistics(snapshot, *list_ns, customer);
    if (!figures) return error_response(figures.error());
    const auto open = *figures ? (*figures)->open_complaints : 0;
    std::vector<FieldError> problems;
    if (!active->empty()) {
      std::string ids;
      for (const auto& id : *active) ids += (ids.empty() ? "" : ", ") + id.str();
      problems.push_back({"orders", "the customer has active orders: " + ids});
    }
    if (open > 0) {
      problems.push_back(
          {"complaints", "the customer has " + std::to_string(open) + " open complaint(s)"});
    }
    if (problems.empty()) return success(200, "settled");
    return failure(400, "the customer has active orders or open complaints", problems);
  }

  // Runs the change `plan` of `customer` for `request`'s caller, with its If-Match.
  Response change(const Request& request, const CustomerId& customer, Viewer viewer,
                  const Plan& plan, int status = 200,
                  std::string_view message = "customer updated") {
    auto expected = if_match(request);
    if (!expected) return error_response(expected.error());
    return run(customer, request.actor(), *expected, viewer, plan, status, message);
  }

  Response run(const CustomerId& customer, const Actor& actor,
               std::optional<std::uint64_t> expected, Viewer viewer, const Plan& plan, int status,
               std::string_view message) {
    auto outcome = r_.commands.execute(customer, plan, actor, expected);
    if (!outcome) return error_response(outcome.error());
    return changed_customer(r_.queries, customer, *outcome, viewer, status, message);
  }

  Response bulk_update_once(const Request& request) {
    RequestReader body(request.body);
    const auto ids =
        body.strings("customerIds", Presence::required, kMaxBulkCustomers, /*max_length=*/40);
    if (ids && ids->empty()) body.fail("customerIds", "must name at least one customer");
    if (ids && std::set(ids->begin(), ids->end()).size() != ids->size()) {
      body.fail("customerIds", "must not name a customer twice");
    }
    StaffChanges changes;
    if (auto updates = body.object("updates", Presence::required)) {
      changes.type = read_type(*updates, Presence::optional);
      changes.status = read_status(*updates, Presence::optional);
      changes.reason = read_reason(*updates);
      changes.tags =
          updates->strings("tags", Presence::optional, customer::kMaxTags, kMaxTagLength);
      changes.note = read_note(*updates, "notes", Presence::optional);
      changes.marketing_emails = updates->boolean("marketingEmails", Presence::optional);
      changes.marketing_sms = updates->boolean("marketingSms", Presence::optional);
      changes.preferences = read_preferences(*updates, Presence::optional);
    }
    if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);

    const auto actor = request.actor();
    json results = json::array();
    std::size_t changed = 0;
    for (const auto& id : *ids) {
      auto outcome = r_.commands.execute(
          CustomerId(id),
          [&](const customer::State& state) -> Result<Commands> {
            return staff_commands(changes, state);
          },
          actor);
      json result = {{"customerId", id}, {"success", outcome.ok()}};
      if (outcome) {
        ++changed;
        result["version"] = outcome->version;
        if (!outcome->positions.empty()) {
          result["position"] = events::to_string(outcome->positions.back());
        }
      } else {
        const auto error = error_response(outcome.error());
        const auto answer = json::parse(error.body);
        result["status"] = error.status;
        result["message"] = answer["message"];
        result["errors"] = answer["errors"];
      }
      results.push_back(std::move(result));
    }
    return success(
        200, std::to_string(changed) + " of " + std::to_string(ids->size()) + " customers updated",
        {{"results", std::move(results)}, {"updated", changed}, {"failed", ids->size() - changed}});
  }

  CustomerChangeRoutes r_;
};

}  // namespace

Result<void> add_customer_change_routes(Router& router, const CustomerChangeRoutes& routes) {
  auto shared = std::make_shared<Routes>(routes);
  struct Entry {
    Method method;
    const char* path;
    Response (Routes::*route)(const Request&);
    Body body;
    Access access;
  };
  const Entry entries[] = {
      {Method::Put, "/api/v1/customers/me", &Routes::update_me, Body::json, Access::customer},
      {Method::Put, "/api/v1/customers/:customerId", &Routes::update, Body::json,
       Access::administrator},
      {Method::Patch, "/api/v1/customers/:customerId/status", &Routes::change_status, Body::json,
       Access::administrator},
      {Method::Patch, "/api/v1/customers/:customerId/type", &Routes::change_type, Body::json,
       Access::administrator},
      {Method::Post, "/api/v1/customers/:customerId/notes", &Routes::add_note, Body::json,
       Access::administrator},
      {Method::Patch, "/api/v1/customers/:customerId/verify-email", &Routes::verify_email,
       Body::none, Access::administrator},
      {Method::Patch, "/api/v1/customers/:customerId/verify-phone", &Routes::verify_phone,
       Body::none, Access::administrator},
      {Method::Delete, "/api/v1/customers/:customerId", &Routes::remove, Body::none,
       Access::administrator},
      {Method::Post, "/api/v1/customers/bulk-update", &Routes::bulk_update, Body::json,
       Access::administrator},
  };
  for (const auto& entry : entries) {
    auto added = router.add(
        entry.method, entry.path,
        [shared, route = entry.route](const Request& request) { return (*shared.*route)(request); },
        entry.body, entry.access);
    if (!added) return added;
  }
  return clientele::success();
}

}  // namespace clientele::api
