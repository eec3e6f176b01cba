#pragma once
// The EventLog contract suite: every implementation of the port runs these same tests
// (embedded now, Kafka later). Instantiate with
//   INSTANTIATE_TEST_SUITE_P(Name, EventLogContract, ::testing::Values(LogUnderTest{...}));

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "events/event_log.hpp"

namespace clientele::testing {

struct LogUnderTest {
  std::string name;  // printed in test names
  // Opens the log whose state lives in `dir` with `partitions` partitions; opening again with
  // the same `dir` after the previous log was destroyed must see everything acknowledged.
  std::function<std::unique_ptr<events::EventLog>(const std::filesystem::path& dir,
                                                  std::int32_t partitions)>
      open;
};

inline std::string PrintToString(const LogUnderTest& log) {
  return log.name;
}

class EventLogContract : public ::testing::TestWithParam<LogUnderTest> {};

}  // namespace clientele::testing
