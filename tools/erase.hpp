#pragma once
// `clientele erase`: compliance staff erase a customer and get a receipt, or verify an erasure.

#include <string>

#include "tools/options.hpp"

namespace clientele::tools {

struct EraseOptions {
  StoreOptions store;
  std::string customer;      // --customer: erase this customer
  std::string reason;        // --reason: reason code
  std::string legal_basis;   // --legal-basis
  std::string requested_by;  // --requested-by: staff user id
  std::string verify;        // --verify: check this customer's erasure instead
};

// Prints the receipt (or the verification) as one JSON object on stdout. Returns 0 on success,
// 1 when the erasure failed or the verification found something still readable.
int run_erase(const EraseOptions& options);

}  // namespace clientele::tools
