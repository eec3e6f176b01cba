#pragma once
// Runs the real `clientele` executable in tests: to completion (run) or in the background with
// its stderr read line by line (Child). Children are killed when their Child object dies.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace clientele::testing {

struct Finished {
  int exit_code = -1;  // the exit status, or 128 + signal
  std::string out;     // everything written to stdout
  std::string err;     // everything written to stderr
};

// Runs `argv` (argv[0] is the program path) to completion with `input` on its stdin (a few KiB
// at most); kills it after `limit`.
Finished run_process(const std::vector<std::string>& argv,
                     std::chrono::seconds limit = std::chrono::seconds(120),
                     const std::string& input = "");

class Child {
 public:
  explicit Child(const std::vector<std::string>& argv);
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // The next complete stderr line, or nullopt if none came within `limit` or stderr closed.
  std::optional<std::string> next_line(std::chrono::milliseconds limit);
  // Sends `signal` and returns at once.
  void send_signal(int signal);
  // Sends `signal` and waits for the exit; returns the exit code (128 + signal if killed).
  int stop(int signal, std::chrono::seconds limit = std::chrono::seconds(30));

 private:
  pid_t pid_ = -1;      // the running child, or -1 once reaped
  int err_fd_ = -1;     // read end of the child's stderr
  std::string buffer_;  // stderr read but not yet returned as lines
};

}  // namespace clientele::testing
