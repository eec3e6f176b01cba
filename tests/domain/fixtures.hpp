#pragma once
// Who acts in the decider specs: one customer (Jane), another customer, an administrator.

#include "domain/context.hpp"
#include "domain/ids.hpp"

namespace clientele::testing {

inline CustomerId jane_id() {
  return CustomerId("CUST_0000abcd");
}
inline Actor jane() {
  return Actor{UserId(jane_id().str()), Role::Customer};
}
inline Actor someone_else() {
  return Actor{UserId("CUST_9999ffff"), Role::Customer};
}
inline Actor admin() {
  return Actor{UserId("ADM_0001"), Role::Administrator};
}

}  // namespace clientele::testing
