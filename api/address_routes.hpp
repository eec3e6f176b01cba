#pragma once
// The address book routes (DESIGN.md §6, issue 7):
//   customers, about their own book (under /api/v1/customers/me/addresses):
//     GET    /                      the addresses in the order added; ETag "<customer version>"
//     POST   /                      alias, kind, recipientName, phone, addressLine1, addressLine2,
//                                   city, state, postalCode, country, [isDefault]
//                                   201 + the address, Location (with Idempotency-Key)
//     PUT    /:addressId            the same fields but isDefault: 200 + the address
//     DELETE /:addressId            200; when it was the default, the first remaining one is
//     PATCH  /:addressId/default    200
//   administrators: the same five under /api/v1/customers/:customerId/addresses.
// A customer reaches only its own book: another's address id is not in it (404). Changes honour
// If-Match (the customer's version, preconditions.hpp: 412 when stale) and answer the position
// of their last event (X-Clientele-Position) and the customer's new ETag; the first address
// becomes the default. An unknown customer or address is 404; a duplicate alias 409; the fields'
// rules (domain/address.hpp) are 400 naming the field. Queries honour X-Clientele-Position.

#include <functional>

#include "api/idempotency.hpp"
#include "api/read_your_writes.hpp"
#include "api/request_reader.hpp"
#include "api/router.hpp"
#include "commands/customer_commands.hpp"
#include "projections/address_book.hpp"
#include "projections/customer_profile.hpp"
#include "projections/read_model_store.hpp"

namespace clientele::api {

struct AddressRoutes {
  commands::CustomerCommands& customers;          // runs the address commands
  Idempotency& idempotency;                       // POST
  projections::ReadModelStore& store;             // what queries read
  const projections::CustomerProfiles& profiles;  // whether the customer exists; its version
  const projections::AddressBook& book;           // the addresses
  const ReadYourWrites& read_your_writes;         // queries wait for the position sent
  std::function<AddressId()> new_id;              // the id of an address added
};

// The customer's addresses in the live version of `book` on `snapshot`, as address resources
// (DESIGN.md §6) in the order added: what GET .../addresses and the export answer. Empty when
// the customer has none (or there is no such customer); errc::unavailable while `book` is not
// built.
Result<nlohmann::json> address_resources(const projections::AddressBook& book,
                                         const projections::Snapshot& snapshot,
                                         const CustomerId& customer);

// Reads the fields of a postal address (recipientName, [phone], addressLine1, [addressLine2],
// city, [state], [postalCode], country) from `body`, which records the missing and mistyped
// ones. Lengths and formats are the domain's to check (validate_postal_address), which names
// the fields as clients send them. Shared with the order routes' inline delivery address.
PostalAddress read_postal_address(RequestReader& body);

// Adds the routes above to `router`. `routes`' members must outlive the router.
Result<void> add_address_routes(Router& router, const AddressRoutes& routes);

}  // namespace clientele::api
