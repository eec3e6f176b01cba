#include "api/export_routes.hpp"

#include <optional>
#include <string>
#include <utility>

#include "api/address_routes.hpp"
#include "api/customer_fields.hpp"
#include "api/customer_routes.hpp"
#include "api/envelope.hpp"
#include "api/error_mapping.hpp"
#include "api/order_routes.hpp"
#include "api/queries.hpp"
#include "api/query_reader.hpp"
#include "events/json.hpp"

namespace clientele::api {
namespace {

using nlohmann::json;
using projections::Snapshot;

// The most timeline entries read at once; the export reads on until the timeline ends.
constexpr std::size_t kTimelinePage = 500;

// What one export is about, and for whom.
struct Subject {
  CustomerId customer;
  const json& profile;  // its profile document on the export's snapshot
  Viewer viewer;        // who the customer resource is for
};

// Builds one section of the document from the export's snapshot.
using Section = Result<json> (*)(const ExportRoutes&, const Snapshot&, const Subject&);

Result<json> addresses(const ExportRoutes& routes, const Snapshot& snapshot,
                       const Subject& subject) {
  return address_resources(routes.book, snapshot, subject.customer);
}

// The purposes the customer consented to, and its marketing choices.
Result<json> consents(const ExportRoutes&, const Snapshot&, const Subject& subject) {
  const auto& profile = subject.profile;
  return json{{"purposes", profile.value("consents", json::array())},
              {"marketingEmails", profile.value("marketingEmails", false)},
              {"marketingSms", profile.value("marketingSms", false)}};
}

Result<json> linked_providers(const ExportRoutes&, const Snapshot&, const Subject& subject) {
  return subject.profile.value("linkedProviders", json::array());
}

// The customer's figures; null when the list model has no member for it (yet).
Result<json> statistics(const ExportRoutes& routes, const Snapshot& snapshot,
                        const Subject& subject) {
  auto ns = live(snapshot, routes.customers.list);
  if (!ns) return ns.error();
  auto figures = routes.customers.list.statistics(snapshot, *ns, subject.customer);
  if (!figures) return figures.error();
  if (!*figures) return json(nullptr);
  return statistics_resource(**figures);
}

// An entry of the audit timeline without the model's internal members (its log offset).
json timeline_entry(const json& entry) {
  json out = json::object();
  for (const char* name :
       {"eventId", "type", "at", "actorId", "actorRole", "stream", "seq", "fields"}) {
    if (const auto it = entry.find(name); it != entry.end()) out[name] = *it;
  }
  return out;
}

// Every entry of the customer's timeline, newest first, read page by page.
Result<json> timeline(const ExportRoutes& routes, const Snapshot& snapshot,
                      const Subject& subject) {
  auto ns = live(snapshot, routes.timeline);
  if (!ns) return ns.error();
  json out = json::array();
  std::optional<std::int64_t> before;
  do {
    auto page = routes.timeline.timeline(snapshot, *ns, subject.customer, before, kTimelinePage);
    if (!page) return page.error();
    for (const auto& entry : page->entries) out.push_back(timeline_entry(entry));
    before = page->next;
  } while (before);
  return out;
}

Result<json> orders(const ExportRoutes& routes, const Snapshot& snapshot, const Subject& subject) {
  return customer_orders(routes.orders, snapshot, subject.customer,
                         subject.viewer == Viewer::customer);
}

// The sections of the document after its header and the customer, in order. Issue 8 adds
// "complaints" here (and to ExportRoutes the read model it comes from).
constexpr std::pair<const char*, Section> kSections[] = {
    {"addresses", addresses},   {"consents", consents}, {"linkedProviders", linked_providers},
    {"statistics", statistics}, {"timeline", timeline}, {"orders", orders},
};

// The whole document about `subject` on `snapshot`; for an erased customer, the header and the
// anonymous record only.
Result<json> document(const ExportRoutes& routes, const Snapshot& snapshot,
                      const Subject& subject) {
  json sections = json::array({"customer"});
  json doc = {{"customer", customer_resource(subject.profile, subject.viewer)}};
  if (!subject.profile.value("erased", false)) {
    for (const auto& [name, section] : kSections) {
      auto built = section(routes, snapshot, subject);
      if (!built) return built.error();
      doc[name] = std::move(*built);
      sections.push_back(name);
    }
  }
  doc["header"] = {{"format", kExportFormat},
                   {"version", kExportVersion},
                   {"exportedAt", routes.customers.clock()},
                   {"customerId", subject.customer.str()},
                   {"sections", std::move(sections)}};
  return doc;
}

// The export of `customer` as `viewer` sees it on `snapshot`, as an attachment.
Response export_answer(const ExportRoutes& routes, const Snapshot& snapshot,
                       const CustomerId& customer, Viewer viewer) {
  auto ns = live(snapshot, routes.customers.profiles);
  if (!ns) return error_response(ns.error());
  auto profile = routes.customers.profiles.find(snapshot, *ns, customer);
  if (!profile) return error_response(profile.error());
  if (!*profile) return failure(404, "there is no such customer");
  auto doc = document(routes, snapshot, {customer, **profile, viewer});
  if (!doc) return error_response(doc.error());
  auto response = success(200, "customer export", std::move(*doc));
  response.headers.emplace_back("Content-Disposition",
                                "attachment; filename=\"" + customer.str() + "-export.json\"");
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

// The export of `customer` once the position `request` carries is folded.
Response export_of(const ExportRoutes& routes, const Request& request, const CustomerId& customer,
                   Viewer viewer) {
  if (auto problems = QueryReader(request).finish(); !problems.empty()) {
    return validation_failed(problems);
  }
  const auto& from = routes.customers;
  return answer_query(from.read_your_writes, from.store, request, [&](const Snapshot& snapshot) {
    return export_answer(routes, snapshot, customer, viewer);
  });
}

Response my_export(const ExportRoutes& routes, const Request& request) {
  return export_of(routes, request, CustomerId(request.caller->id), Viewer::customer);
}

Response customer_export(const ExportRoutes& routes, const Request& request) {
  return export_of(routes, request, CustomerId(std::string(*request.param("customerId"))),
                   Viewer::staff);
}

constexpr QueryRoute<ExportRoutes> kRoutes[] = {
    {"/api/v1/customers/me/export", my_export, Access::customer},
    {"/api/v1/customers/:customerId/export", customer_export, Access::administrator},
};

}  // namespace

Result<void> add_export_routes(Router& router, const ExportRoutes& routes) {
  return add_query_routes(router, routes, kRoutes);
}

}  // namespace clientele::api
