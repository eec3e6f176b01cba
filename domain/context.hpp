#pragma once
// What a decider knows about the moment of a decision besides the command and the state:
// who acts and when. Supplied by the command layer; deciders stay pure.

#include <array>
#include <string_view>
#include <utility>

#include "domain/enums.hpp"
#include "domain/ids.hpp"
#include "domain/time.hpp"

namespace clientele {

enum class Role { Customer, Administrator, System };

template <>
struct EnumNames<Role> {
  static constexpr std::array<std::pair<Role, std::string_view>, 3> values{{
      {Role::Customer, "Customer"},
      {Role::Administrator, "Administrator"},
      {Role::System, "System"},
  }};
};

struct Actor {
  UserId id;  // the customer id for customers, the administrator's id otherwise
  Role role = Role::System;

  bool operator==(const Actor&) const = default;
};

struct Context {
  Timestamp now;  // the decision time; events record it
  Actor actor;    // who asked
};

}  // namespace clientele
