#include "infra/admin_socket.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <list>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "infra/logging.hpp"

namespace clientele::infra {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxRequest = 64 * 1024;        // a longer request is not answered
constexpr std::size_t kMaxAnswer = 16 * 1024 * 1024;  // a longer answer is not read
constexpr std::size_t kMaxConnections = 8;            // answered at once; more wait their turn
constexpr std::chrono::milliseconds kBusyPause{100};  // how often a full server looks again
constexpr std::chrono::seconds kRequestTimeout{10};   // to receive a request, or send an answer
constexpr int kBacklog = 16;

std::string system_error(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

// A file descriptor, closed with its owner.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = other.release();
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;  // the descriptor, or -1
};

// The address of the socket file `path`. A Unix socket's path has at most 107 bytes; a longer
// one is reached through its directory, opened: /proc/self/fd/<fd>/<name>, valid while `dir` is.
struct SocketAddress {
  sockaddr_un address{};
  Fd dir;  // the socket's directory, for a long path; else none
};

Result<SocketAddress> address_of(const std::filesystem::path& path) {
  SocketAddress out;
  out.address.sun_family = AF_UNIX;
  auto text = path.string();
  if (text.size() >= sizeof out.address.sun_path) {
    out.dir = Fd(::open(path.parent_path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (out.dir.get() < 0) {
      return make_error(errc::unavailable, "",
                        system_error("cannot open " + path.parent_path().string()));
    }
    text = "/proc/self/fd/" + std::to_string(out.dir.get()) + "/" + path.filename().string();
  }
  if (text.size() >= sizeof out.address.sun_path) {
    return make_error(errc::invalid, "", "the admin socket's name is too long: " + text);
  }
  std::memcpy(out.address.sun_path, text.c_str(), text.size() + 1);
  return out;
}

// Connects to `address`. Returns the socket, or -1 with errno set.
Fd connect_to(const sockaddr_un& address) {
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return fd;
  int result = 0;
  do {
    result = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
  } while (result != 0 && errno == EINTR);
  if (result != 0) {
    const int saved = errno;
    fd.reset();
    errno = saved;
  }
  return fd;
}

// Sends all of `text`. Returns whether it was sent.
bool send_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const auto sent = ::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    text.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

// Reads one line (without its '\n') of at most `limit` bytes, waiting for each part up to
// `timeout` (zero: no limit). nullopt on a timeout, an error, an overlong line, or when the peer
// closes the connection before the line is complete.
std::optional<std::string> read_line(int fd, std::size_t limit, std::chrono::milliseconds timeout) {
  std::string line;
  const auto deadline = Clock::now() + timeout;
  char buffer[4096];
  for (;;) {
    int wait = -1;
    if (timeout.count() > 0) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return std::nullopt;
      wait = static_cast<int>(left.count());
    }
    pollfd readable{fd, POLLIN, 0};
    const int ready = ::poll(&readable, 1, wait);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return std::nullopt;
    const auto got = ::recv(fd, buffer, sizeof buffer, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return std::nullopt;
    line.append(buffer, static_cast<std::size_t>(got));
    if (const auto newline = line.find('\n'); newline != std::string::npos) {
      line.resize(newline);
      return line;
    }
    if (line.size() > limit) return std::nullopt;
  }
}

// Whether the peer of `fd` runs as this process's user.
bool same_user(int fd) {
  ucred peer{};
  socklen_t length = sizeof peer;
  return ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &length) == 0 && peer.uid == ::geteuid();
}

}  // namespace

std::filesystem::path admin_socket_path(const std::filesystem::path& data_dir) {
  return data_dir / "admin.sock";
}

// One connection being answered, on its own thread.
struct Connection {
  std::thread thread;             // answers the connection
  std::atomic<bool> done{false};  // set by `thread` as it ends
};

struct AdminServer::Impl {
  std::filesystem::path path;       // the socket file
  AdminHandler handler;             // answers requests
  Fd listener;                      // the listening socket
  Fd wake_read;                     // readable once the server stops
  Fd wake_write;                    // written to stop the server
  std::thread acceptor;             // runs accept_loop()
  std::list<Connection> answering;  // the acceptor's: connections being answered, or done

  ~Impl() {
    if (acceptor.joinable()) {
      const char stop = 1;
      while (::write(wake_write.get(), &stop, 1) < 0 && errno == EINTR) {
      }
      acceptor.join();
    }
    listener.reset();
    std::error_code ignored;
    if (!path.empty()) std::filesystem::remove(path, ignored);
    for (auto& connection : answering) connection.thread.join();
  }

  // Accepts connections until the server stops. While kMaxConnections are being answered, new
  // ones wait in the listen backlog.
  void accept_loop() {
    for (;;) {
      reap();
      const bool full = answering.size() >= kMaxConnections;
      std::array<pollfd, 2> fds{pollfd{wake_read.get(), POLLIN, 0},
                                pollfd{listener.get(), POLLIN, 0}};
      const int ready = ::poll(fds.data(), full ? 1 : 2, full ? kBusyPause.count() : -1);
      if (ready < 0 && errno == EINTR) continue;
      if (ready < 0 || fds[0].revents != 0) return;
      if (full || fds[1].revents == 0) continue;
      Fd peer(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (peer.get() < 0) continue;
      if (!same_user(peer.get())) {
        log_warn("admin connection refused: another user");
        continue;
      }
      auto& connection = answering.emplace_back();
      connection.thread = std::thread([this, &connection, fd = peer.release()] {
        answer(Fd(fd));
        connection.done = true;
      });
    }
  }

  // Joins the threads of the connections answered.
  void reap() {
    for (auto it = answering.begin(); it != answering.end();) {
      if (it->done) {
        it->thread.join();
        it = answering.erase(it);
      } else {
        ++it;
      }
    }
  }

  void answer(Fd peer) {
    const auto line = read_line(peer.get(), kMaxRequest, kRequestTimeout);
    if (!line) return;
    const auto request = nlohmann::json::parse(*line, nullptr, /*allow_exceptions=*/false);
    nlohmann::json answer;
    try {
      answer = handler(request);
    } catch (const std::exception& e) {
      log_error("an admin request failed", {{"error", e.what()}});
      return;
    }
    timeval limit{kRequestTimeout.count(), 0};
    ::setsockopt(peer.get(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    send_all(peer.get(), answer.dump() + "\n");
  }
};

Result<std::unique_ptr<AdminServer>> AdminServer::listen(const std::filesystem::path& path,
                                                         AdminHandler handler) {
  auto address = address_of(path);
  if (!address) return address.error();
  if (Fd other = connect_to(address->address); other.get() >= 0) {
    return make_error(errc::conflict, "", "a process listens on " + path.string() + " already");
  } else if (errno == ECONNREFUSED) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);  // left by a process that was killed
  }
  auto impl = std::make_unique<Impl>();
  impl->handler = std::move(handler);
  impl->listener = Fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (impl->listener.get() < 0) {
    return make_error(errc::unavailable, "", system_error("cannot make the admin socket"));
  }
  if (::bind(impl->listener.get(), reinterpret_cast<const sockaddr*>(&address->address),
             sizeof address->address) != 0) {
    return make_error(errc::unavailable, "", system_error("cannot bind " + path.string()));
  }
  impl->path = path;  // removed by ~Impl from here on
  // Nobody can connect before listen(): the file has mode 0600 by then.
  if (::chmod(path.c_str(), S_IRUSR | S_IWUSR) != 0 ||
      ::listen(impl->listener.get(), kBacklog) != 0) {
    return make_error(errc::unavailable, "", system_error("cannot listen on " + path.string()));
  }
  int wake[2];
  if (::pipe2(wake, O_CLOEXEC) != 0) {
    return make_error(errc::unavailable, "", system_error("cannot make a pipe"));
  }
  impl->wake_read = Fd(wake[0]);
  impl->wake_write = Fd(wake[1]);
  auto* raw = impl.get();
  impl->acceptor = std::thread([raw] { raw->accept_loop(); });
  return std::unique_ptr<AdminServer>(new AdminServer(std::move(impl)));
}

AdminServer::AdminServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AdminServer::~AdminServer() = default;

Result<nlohmann::json> admin_call(const std::filesystem::path& path, const nlohmann::json& request,
                                  std::chrono::milliseconds timeout) {
  auto address = address_of(path);
  if (!address) return address.error();
  Fd fd = connect_to(address->address);
  if (fd.get() < 0) {
    if (errno == ENOENT || errno == ECONNREFUSED) {
      return make_error(errc::not_found, "", "no service listens on " + path.string());
    }
    return make_error(errc::unavailable, "", system_error("cannot connect to " + path.string()));
  }
  if (!send_all(fd.get(), request.dump() + "\n")) {
    return make_error(errc::unavailable, "", system_error("cannot send to " + path.string()));
  }
  const auto line = read_line(fd.get(), kMaxAnswer, timeout);
  if (!line) {
    return make_error(
        errc::unavailable, "",
        "the service on " + path.string() + " did not answer; the outcome is unknown");
  }
  auto answer = nlohmann::json::parse(*line, nullptr, /*allow_exceptions=*/false);
  if (!answer.is_object()) {
    return make_error(errc::corrupt, "", "the service answered something other than JSON");
  }
  return answer;
}

}  // namespace clientele::infra
