#pragma once
// Given/when/then for pure deciders (STYLE.md):
//   DeciderSpec<order::State, order::Command, order::Event>()
//       .given({Placed{...}}).when(Cancel{...}).then({Cancelled{...}});
//   ... .when(Cancel{}).then(errc::invalid, "reason");
// `given` events are folded with evolve(); `then` checks decide()'s answer, and for events
// also that evolve() accepts them. Failures are reported through GoogleTest.

#include <gtest/gtest.h>

#include <chrono>
#include <concepts>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "domain/context.hpp"
#include "domain/result.hpp"

namespace clientele::testing {

// 2026-01-20T14:30:00Z, the default decision time of every spec.
inline Timestamp spec_now() {
  using namespace std::chrono;
  return time_point_cast<milliseconds>(sys_days{year{2026} / January / 20} + hours{14} +
                                       minutes{30});
}

template <class State, class Command, class Event>
class DeciderSpec {
 public:
  DeciderSpec& given(std::vector<Event> events) {
    given_ = std::move(events);
    return *this;
  }
  DeciderSpec& at(Timestamp now) {
    ctx_.now = now;
    return *this;
  }
  DeciderSpec& by(Actor actor) {
    ctx_.actor = std::move(actor);
    return *this;
  }
  DeciderSpec& when(Command command) {
    command_ = std::move(command);
    return *this;
  }

  // Expects exactly `expected`; returns the state after applying them.
  State then(const std::vector<Event>& expected) {
    State state = given_state();
    auto result = run(state);
    if (!result.ok()) {
      ADD_FAILURE() << "expected events, got error " << to_string(result.error().code) << " on '"
                    << result.error().field << "': " << result.error().message;
      return state;
    }
    EXPECT_EQ(result.value().size(), expected.size()) << "number of events";
    for (std::size_t i = 0; i < std::min(expected.size(), result.value().size()); ++i) {
      EXPECT_EQ(result.value()[i].index(), expected[i].index()) << "type of event " << i;
      EXPECT_TRUE(result.value()[i] == expected[i]) << "fields of event " << i;
    }
    for (const auto& event : result.value()) state = evolve(std::move(state), event);
    return state;
  }

  // Expects a rejection with `code`, and when `field` is given, naming that field.
  // (A template, so that `then({})` means "no events", not a value-initialized errc.)
  template <std::same_as<errc> Code>
  void then(Code code, std::optional<std::string> field = std::nullopt) {
    auto result = run(given_state());
    if (result.ok()) {
      ADD_FAILURE() << "expected error " << to_string(code) << ", got " << result.value().size()
                    << " event(s)";
      return;
    }
    EXPECT_EQ(to_string(result.error().code), to_string(code)) << result.error().message;
    if (field) {
      EXPECT_EQ(result.error().field, *field) << result.error().message;
    }
    EXPECT_FALSE(result.error().message.empty());
  }

  // The state after the given events (for assertions on evolve).
  State given_state() const {
    State state{};
    for (const auto& event : given_) state = evolve(std::move(state), event);
    return state;
  }

 private:
  Result<std::vector<Event>> run(const State& state) const {
    if (!command_) return make_error(errc::invalid, "", "spec has no command: call when()");
    return decide(*command_, state, ctx_);
  }

  std::vector<Event> given_;        // history folded into the state
  std::optional<Command> command_;  // the command under test
  Context ctx_{spec_now(), Actor{UserId("ADM_0001"), Role::Administrator}};  // who and when
};

}  // namespace clientele::testing
