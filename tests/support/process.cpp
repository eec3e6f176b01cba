#include "tests/support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

namespace clientele::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Runs `argv` with its stdout and stderr on the given descriptors, and its stdin on `in_fd`
// unless that is -1 (then the test's own).
pid_t spawn(const std::vector<std::string>& argv, int out_fd, int err_fd, int in_fd = -1) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    if (in_fd >= 0) ::dup2(in_fd, STDIN_FILENO);
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    ::execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Waits for `pid` up to `limit`, then kills it. Returns its exit code.
int reap(pid_t pid, Clock::duration limit) {
  const auto deadline = Clock::now() + limit;
  int status = 0;
  while (Clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return exit_code(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return exit_code(status);
}

}  // namespace

Finished run_process(const std::vector<std::string>& argv, std::chrono::seconds limit,
                     const std::string& input) {
  int out[2], err[2], in[2];
  if (::pipe(out) != 0 || ::pipe(err) != 0 || ::pipe(in) != 0) {
    throw std::runtime_error("pipe failed");
  }
  const pid_t pid = spawn(argv, out[1], err[1], in[0]);
  ::close(out[1]);
  ::close(err[1]);
  ::close(in[0]);
  // Small inputs only: they fit the pipe, so writing them all before reading cannot block.
  if (!input.empty() && ::write(in[1], input.data(), input.size()) < 0) {
    throw std::runtime_error("cannot write the child's input");
  }
  ::close(in[1]);
  Finished result;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  const auto deadline = Clock::now() + limit;
  int open = 2;
  while (open > 0 && Clock::now() < deadline) {
    if (::poll(fds, 2, 100) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP)) == 0) continue;
      char buffer[4096];
      const auto n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<std::size_t>(n));
      } else {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      }
    }
  }
  for (auto& fd : fds)
    if (fd.fd >= 0) ::close(fd.fd);
  result.exit_code = reap(pid, std::max(deadline - Clock::now(), Clock::duration::zero()));
  return result;
}

Child::Child(const std::vector<std::string>& argv) {
  int err[2];
  if (::pipe(err) != 0) throw std::runtime_error("pipe failed");
  const int null_fd = ::open("/dev/null", O_WRONLY);
  pid_ = spawn(argv, null_fd, err[1]);
  ::close(null_fd);
  ::close(err[1]);
  err_fd_ = err[0];
}

Child::~Child() {
  if (pid_ > 0) stop(SIGKILL);
  if (err_fd_ >= 0) ::close(err_fd_);
}

std::optional<std::string> Child::next_line(std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  for (;;) {
    const auto newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      return line;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd pfd{err_fd_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
    char buffer[4096];
    const auto n = ::read(err_fd_, buffer, sizeof buffer);
    if (n <= 0) return std::nullopt;
    buffer_.append(buffer, static_cast<std::size_t>(n));
  }
}

void Child::send_signal(int signal) {
  if (pid_ > 0) ::kill(pid_, signal);
}

int Child::stop(int signal, std::chrono::seconds limit) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  const int code = reap(pid_, limit);
  pid_ = -1;
  return code;
}

}  // namespace clientele::testing
