#pragma once
// The system clock as the domain sees time: a UTC instant with millisecond precision. The one
// place that reads it; deciders receive it through their Context.

#include <chrono>

#include "domain/time.hpp"

namespace clientele::infra {

inline Timestamp utc_now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

}  // namespace clientele::infra
