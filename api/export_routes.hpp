#pragma once
// The export routes (DESIGN.md §6, issue 7 item 4): data access and portability (GDPR Art. 15
// and 20). Everything clientele holds about one customer, opened, as one JSON document:
//   customers, about themselves:
//     GET /api/v1/customers/me/export            the document as the customer sees it
//   administrators (compliance staff, for access requests):
//     GET /api/v1/customers/:customerId/export   the same document, with the staff notes
// The document (the envelope's data), read from one snapshot of the read models so that its
// sections agree:
//   header       {format, version, exportedAt, customerId}
//   customer     the customer resource (customer_fields.hpp)
//   addresses    the address resources, in the order added (address_routes.hpp)
//   consents     {purposes: [...], marketingEmails, marketingSms}
//   linkedProviders  the identity providers of the customer's linked external accounts
//   statistics   the statistics resource (customer_routes.hpp)
//   timeline     the audit timeline, newest first: who did what, when (names of fields, never
//                their values)
//   orders       the order resources, oldest first, each with its history (order_routes.hpp)
// For an erased customer the document is the header and the anonymous customer record only.
// The answer is an attachment ("Content-Disposition: attachment; filename=<id>-export.json").
// An unknown customer is 404; unknown query parameters are 400; X-Clientele-Position is honoured
// (read_your_writes.hpp). Nothing of the document is logged.

#include "api/customer_routes.hpp"
#include "api/router.hpp"
#include "projections/address_book.hpp"
#include "projections/audit_timeline.hpp"
#include "projections/orders.hpp"

namespace clientele::api {

struct ExportRoutes {
  // What the customer routes read: the store and its position waits, the profiles (the customer,
  // its consents), the list (the statistics), and the clock (the header's exportedAt).
  CustomerRoutes customers;
  const projections::AddressBook& book;        // the addresses
  const projections::AuditTimeline& timeline;  // who did what, when
  const projections::Orders& orders;           // the orders and their histories
};

// The `format` and `version` of the document's header. A change of the document's shape bumps
// the version.
inline constexpr std::string_view kExportFormat = "clientele.customer-export";
inline constexpr int kExportVersion = 2;  // 2: orders

// Adds the routes above to `router`. `routes`' members must outlive the router.
Result<void> add_export_routes(Router& router, const ExportRoutes& routes);

}  // namespace clientele::api
