#pragma once
// Time as the domain sees it. Deciders never read a clock: the current time arrives in the
// Context of each decision.

#include <chrono>

namespace clientele {

// A UTC instant with millisecond precision.
using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

// A calendar date without time zone (e.g. a date of birth).
using Date = std::chrono::year_month_day;

}  // namespace clientele
