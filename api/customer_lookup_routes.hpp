#pragma once
// The administrators' lookups of customers (DESIGN.md §6, issue 7), beside the list of
// customer_routes.hpp, whose listing they share (answer_list): the same customer resources and
// pagination (page or cursor, sortBy, sortOrder, limit ≤ 100). Erased customers are never listed.
//   POST /api/v1/customers/search             advanced search: the JSON body's members (query,
//                                             firstName, lastName, email, city, country,
//                                             isActive, isVerified, companyName, tags,
//                                             createdAfter, createdBefore, sortBy, sortOrder,
//                                             page, cursor, limit) all hold; any other is 400
//   GET  /api/v1/customers/tags/:tags         customers having every one of the comma-separated
//                                             tags
//   GET  /api/v1/customers/location/search?city=&country=
//                                             customers located there (one at least is required)
//   GET  /api/v1/customers/available/countries, .../available/cities?country=,
//        .../available/states?country=        the countries, cities or states customers are
//                                             located in, each with its count, sorted by name
//
// Advanced search: `query`, `firstName`, `lastName` and `email` (3 characters at least) find
// candidates through the search model (each up to kMaxSearchTermHits); `firstName`, `lastName`,
// `email` and `companyName` must then be held (any case) by that field of the customer's profile,
// and `isVerified` match its verified email. `isActive` true is status Active, false any other.
// A customer's location is its default address, else its first (customer_list.hpp,
// customer_analytics.hpp); cities are matched in any case, and counted as written.

#include "api/customer_routes.hpp"
#include "api/router.hpp"

namespace clientele::api {

// Adds the routes above to `router`. `routes`' members must outlive the router.
Result<void> add_customer_lookup_routes(Router& router, const CustomerRoutes& routes);

}  // namespace clientele::api
