#include "tools/stop_signals.hpp"

#include <pthread.h>

#include <csignal>

#include "infra/logging.hpp"

namespace clientele::tools {

int run_until_signal(
    const std::function<int(const std::function<void()>& wait_for_stop)>& service) {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const int code = service([&] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    infra::log_info("stopping", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
  });
  if (code == 0) infra::log_info("stopped");
  return code;
}

}  // namespace clientele::tools
