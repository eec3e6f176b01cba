#pragma once
// The long-running subcommands (serve, kafka-dev-broker) stop on SIGTERM or SIGINT.

#include <functional>

namespace clientele::tools {

// Runs `service` with SIGTERM and SIGINT blocked in this thread and so in every thread it
// starts: they reach only `wait_for_stop`, which `service` calls once it is ready and which
// returns on the first of them, after logging "stopping". Logs "stopped" when `service` returns
// 0, after everything it opened is closed. Returns what `service` returns (the exit code).
int run_until_signal(const std::function<int(const std::function<void()>& wait_for_stop)>& service);

}  // namespace clientele::tools
