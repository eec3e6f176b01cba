#include "infra/kafka_mock_cluster.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "infra/kafka_logging.hpp"
#include "infra/logging.hpp"

namespace clientele::infra {
namespace {

constexpr int kMaxBrokers = 3;
constexpr int kMaxPartitions = 1024;
constexpr int kMaxReplicationFactor = 3;
constexpr std::size_t kMaxTopicName = 249;        // Kafka's limit
constexpr std::size_t kSpliceBuffer = 64 * 1024;  // bytes buffered per direction of a connection

Error invalid(std::string field, std::string message) {
  return make_error(errc::invalid, std::move(field), std::move(message));
}

Error unavailable(std::string message) {
  return make_error(errc::unavailable, "", std::move(message));
}

std::string errno_text(int error) {
  return std::system_category().message(error);
}

bool valid_topic_name(const std::string& topic) {
  if (topic.empty() || topic.size() > kMaxTopicName || topic == "." || topic == "..") return false;
  return std::all_of(topic.begin(), topic.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

// A file descriptor, closed by its owner.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;  // the open descriptor, or -1
};

// ---- the bootstrap forwarder ---------------------------------------------------------------

// One direction of a spliced connection: bytes read from one socket, not yet written to the
// other.
struct Stream {
  std::array<char, kSpliceBuffer> buffer;  // bytes [begin, end) are waiting to be written
  std::size_t begin = 0;                   // the first byte not yet written
  std::size_t end = 0;                     // one past the last byte read
  bool eof = false;                        // the reading side has closed
  bool shut = false;                       // EOF passed on: shutdown(SHUT_WR) on the writing side

  bool pending() const { return begin < end; }
  bool has_room() const { return !eof && end < buffer.size(); }
};

// A client connection spliced to a broker's listener.
struct Splice {
  Fd client;               // accepted on the bootstrap port
  Fd broker;               // connected to the broker
  bool connecting = true;  // the non-blocking connect to the broker has not completed yet
  bool failed = false;     // a socket failed or hung up: close both sides
  Stream up;               // client -> broker
  Stream down;             // broker -> client

  bool done() const { return failed || (up.shut && down.shut); }
};

// Reads what `from` has into `stream`, until it would block, the buffer is full or EOF.
// Returns false on a socket error.
bool fill(int from, Stream& stream) {
  while (stream.has_room()) {
    const auto n =
        ::recv(from, stream.buffer.data() + stream.end, stream.buffer.size() - stream.end, 0);
    if (n > 0) {
      stream.end += static_cast<std::size_t>(n);
    } else if (n == 0) {
      stream.eof = true;
    } else if (errno != EINTR) {
      return errno == EAGAIN || errno == EWOULDBLOCK;
    }
  }
  return true;
}

// Writes what `stream` holds to `to` until it would block; once it is empty after EOF, passes
// the EOF on. Returns false on a socket error.
bool drain(int to, Stream& stream) {
  while (stream.pending()) {
    const auto n =
        ::send(to, stream.buffer.data() + stream.begin, stream.end - stream.begin, MSG_NOSIGNAL);
    if (n >= 0) {
      stream.begin += static_cast<std::size_t>(n);
    } else if (errno != EINTR) {
      return errno == EAGAIN || errno == EWOULDBLOCK;
    }
  }
  stream.begin = stream.end = 0;
  if (stream.eof && !stream.shut) {
    ::shutdown(to, SHUT_WR);
    stream.shut = true;
  }
  return true;
}

// poll() events for a socket that reads into `in` and writes `out`.
short interest(const Stream& in, const Stream& out) {
  return static_cast<short>((in.has_room() ? POLLIN : 0) | (out.pending() ? POLLOUT : 0));
}

// Moves the bytes of `splice` that its sockets' poll() results allow.
void step(Splice& splice, short client_events, short broker_events) {
  if (client_events == 0 && broker_events == 0) return;
  if ((client_events | broker_events) & POLLERR) {
    splice.failed = true;
    return;
  }
  if (splice.connecting && broker_events != 0) {
    int error = 0;
    socklen_t length = sizeof error;
    if (::getsockopt(splice.broker.get(), SOL_SOCKET, SO_ERROR, &error, &length) != 0 ||
        error != 0) {
      splice.failed = true;
      return;
    }
    splice.connecting = false;
  }
  bool ok = fill(splice.client.get(), splice.up);
  if (!splice.connecting) {
    ok = ok && fill(splice.broker.get(), splice.down) && drain(splice.broker.get(), splice.up) &&
         drain(splice.client.get(), splice.down);
  }
  // A hung-up socket can take no more bytes: what it sent was read above and passed on.
  splice.failed = !ok || ((client_events | broker_events) & POLLHUP) != 0;
}

void set_no_delay(int fd) {
  const int on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

// Accepts connections on 127.0.0.1:port and splices each to one broker's listener, all in one
// poll() thread. Stopping it (the destructor) closes the listener and every connection.
class BootstrapForwarder {
 public:
  // Listens on 127.0.0.1:port; forwards nothing before start(). errc::unavailable when the port
  // is in use or cannot be listened on.
  static Result<std::unique_ptr<BootstrapForwarder>> listen(int port);

  // Starts the thread that forwards every connection to `broker`. errc::unavailable when the
  // thread cannot start.
  Result<void> start(const sockaddr_in& broker);

  ~BootstrapForwarder();
  BootstrapForwarder(const BootstrapForwarder&) = delete;
  BootstrapForwarder& operator=(const BootstrapForwarder&) = delete;

 private:
  BootstrapForwarder(Fd listener, Fd wake_read, Fd wake_write)
      : listener_(std::move(listener)),
        wake_read_(std::move(wake_read)),
        wake_write_(std::move(wake_write)) {}

  void run();
  // Accepts every waiting connection and starts connecting it to the broker.
  void accept_all(std::vector<std::unique_ptr<Splice>>& splices);

  Fd listener_;           // listening on 127.0.0.1:port, non-blocking
  Fd wake_read_;          // the thread stops when this pipe becomes readable
  Fd wake_write_;         // the destructor writes here
  sockaddr_in broker_{};  // where connections go; set before the thread starts
  std::thread thread_;    // runs run(); joined by the destructor
};

Result<std::unique_ptr<BootstrapForwarder>> BootstrapForwarder::listen(int port) {
  const std::string where = "127.0.0.1:" + std::to_string(port);
  Fd listener(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!listener.valid()) return unavailable("cannot open a socket: " + errno_text(errno));
  // Lets a restarted dev broker take its port back while old connections linger in TIME_WAIT;
  // binding still fails while another socket listens there.
  const int on = 1;
  ::setsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listener.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener.get(), SOMAXCONN) != 0) {
    if (errno == EADDRINUSE) return unavailable("port " + where + " is already in use");
    return unavailable("cannot listen on " + where + ": " + errno_text(errno));
  }
  int wake[2];
  if (::pipe2(wake, O_NONBLOCK | O_CLOEXEC) != 0) {
    return unavailable("cannot make a pipe: " + errno_text(errno));
  }
  return std::unique_ptr<BootstrapForwarder>(
      new BootstrapForwarder(std::move(listener), Fd(wake[0]), Fd(wake[1])));
}

Result<void> BootstrapForwarder::start(const sockaddr_in& broker) {
  broker_ = broker;
  try {
    thread_ = std::thread([this] { run(); });
  } catch (const std::system_error& e) {
    return unavailable(std::string("cannot start the bootstrap forwarder: ") + e.what());
  }
  return success();
}

BootstrapForwarder::~BootstrapForwarder() {
  if (thread_.joinable()) {
    const char stop = 0;
    while (::write(wake_write_.get(), &stop, 1) < 0 && errno == EINTR) {
    }
    thread_.join();
  }
}

void BootstrapForwarder::run() {
  std::vector<std::unique_ptr<Splice>> splices;
  std::vector<pollfd> fds;
  for (;;) {
    fds.clear();
    fds.push_back({wake_read_.get(), POLLIN, 0});
    fds.push_back({listener_.get(), POLLIN, 0});
    for (const auto& splice : splices) {
      fds.push_back({splice->client.get(), interest(splice->up, splice->down), 0});
      fds.push_back({splice->broker.get(),
                     splice->connecting ? short{POLLOUT} : interest(splice->down, splice->up), 0});
    }
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      log_error("bootstrap forwarder stopped", {{"error", errno_text(errno)}});
      return;
    }
    if (fds[0].revents != 0) return;  // the destructor; the splices close with `splices`
    for (std::size_t i = 0; i < splices.size(); ++i) {
      step(*splices[i], fds[2 + 2 * i].revents, fds[3 + 2 * i].revents);
    }
    std::erase_if(splices, [](const auto& splice) { return splice->done(); });
    if (fds[1].revents & POLLIN) accept_all(splices);
  }
}

void BootstrapForwarder::accept_all(std::vector<std::unique_ptr<Splice>>& splices) {
  for (;;) {
    Fd client(::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!client.valid()) {
      const int error = errno;
      if (error == EINTR || error == ECONNABORTED) continue;
      if (error == EAGAIN || error == EWOULDBLOCK) return;
      // Out of descriptors, most likely: the connection stays queued, so wait a little rather
      // than spin on a listener that stays readable.
      log(spdlog::level::warn, "bootstrap forwarder cannot accept", {{"error", errno_text(error)}});
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      return;
    }
    Fd broker(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!broker.valid()) continue;  // the client sees its connection close
    set_no_delay(client.get());
    set_no_delay(broker.get());
    auto splice = std::make_unique<Splice>();
    const int connected =
        ::connect(broker.get(), reinterpret_cast<const sockaddr*>(&broker_), sizeof broker_);
    if (connected != 0 && errno != EINPROGRESS) continue;
    splice->connecting = connected != 0;
    splice->client = std::move(client);
    splice->broker = std::move(broker);
    splices.push_back(std::move(splice));
  }
}

// The first "host:port" of a bootstrap list, as an IPv4 address.
Result<sockaddr_in> first_address(const std::string& servers) {
  const std::string first = servers.substr(0, servers.find(','));
  const auto colon = first.rfind(':');
  sockaddr_in address{};
  address.sin_family = AF_INET;
  int port = 0;
  if (colon != std::string::npos) port = std::atoi(first.c_str() + colon + 1);
  if (colon == std::string::npos || port <= 0 || port > 65535 ||
      ::inet_pton(AF_INET, first.substr(0, colon).c_str(), &address.sin_addr) != 1) {
    return unavailable("unexpected mock broker address: " + servers);
  }
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  return address;
}

}  // namespace

// ---- the cluster ---------------------------------------------------------------------------

struct KafkaMockCluster::Impl {
  Impl() = default;
  ~Impl() {
    forwarder.reset();  // no more connections to the brokers
    if (mock != nullptr) rd_kafka_mock_cluster_destroy(mock);
    if (client != nullptr) rd_kafka_destroy(client);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  rd_kafka_t* client = nullptr;  // the handle the mock keeps its books in; outlives `mock`
  rd_kafka_mock_cluster_t* mock = nullptr;        // the brokers, their listeners and thread
  std::unique_ptr<BootstrapForwarder> forwarder;  // the fixed bootstrap port, or null
  std::string bootstrap_servers;                  // what clients are told to use
  int brokers = 0;                                // broker ids are 1..brokers
};

KafkaMockCluster::KafkaMockCluster(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

KafkaMockCluster::~KafkaMockCluster() = default;

Result<std::unique_ptr<KafkaMockCluster>> KafkaMockCluster::start(const KafkaMockOptions& options) {
  if (options.brokers < 1 || options.brokers > kMaxBrokers) {
    return invalid("brokers",
                   "the mock cluster has 1 to 3 brokers, not " + std::to_string(options.brokers));
  }
  if (options.port < 0 || options.port > 65535) {
    return invalid("port", "not a TCP port: " + std::to_string(options.port));
  }
  auto impl = std::make_unique<Impl>();
  impl->brokers = options.brokers;
  // The bootstrap port first, so that no mock broker can take it.
  if (options.port != 0) {
    auto forwarder = BootstrapForwarder::listen(options.port);
    if (!forwarder) return forwarder.error();
    impl->forwarder = std::move(*forwarder);
  }

  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set_log_cb(conf, forward_kafka_log);
  char error[512];
  impl->client = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (impl->client == nullptr) {
    rd_kafka_conf_destroy(conf);
    return unavailable(std::string("cannot start the mock cluster: ") + error);
  }
  impl->mock = rd_kafka_mock_cluster_new(impl->client, options.brokers);
  if (impl->mock == nullptr) {
    return unavailable("cannot start the mock brokers (their listeners failed; see the log)");
  }

  const std::string brokers = rd_kafka_mock_cluster_bootstraps(impl->mock);
  if (impl->forwarder) {
    auto broker = first_address(brokers);
    if (!broker) return broker.error();
    if (auto started = impl->forwarder->start(*broker); !started) return started.error();
    impl->bootstrap_servers = "127.0.0.1:" + std::to_string(options.port);
  } else {
    impl->bootstrap_servers = brokers;
  }
  return std::unique_ptr<KafkaMockCluster>(new KafkaMockCluster(std::move(impl)));
}

const std::string& KafkaMockCluster::bootstrap_servers() const {
  return impl_->bootstrap_servers;
}

Result<void> KafkaMockCluster::create_topic(const std::string& topic, int partitions) {
  if (partitions < 1 || partitions > kMaxPartitions) {
    return invalid("partitions",
                   "a topic has 1 to 1024 partitions, not " + std::to_string(partitions));
  }
  if (!valid_topic_name(topic)) {
    return invalid("topic", "not a Kafka topic name: \"" + topic + "\"");
  }
  const int replication = std::min(kMaxReplicationFactor, impl_->brokers);
  const auto error =
      rd_kafka_mock_topic_create(impl_->mock, topic.c_str(), partitions, replication);
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR) return success();
  if (error == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
    return make_error(errc::conflict, "topic", "topic " + topic + " exists already");
  }
  return unavailable("cannot create topic " + topic + ": " + rd_kafka_err2str(error));
}

void KafkaMockCluster::set_brokers_down() {
  rd_kafka_mock_broker_set_down(impl_->mock, -1);
}

void KafkaMockCluster::set_brokers_up() {
  rd_kafka_mock_broker_set_up(impl_->mock, -1);
}

void KafkaMockCluster::push_request_errors(int api_key, const std::vector<int>& errors) {
  std::vector<rd_kafka_resp_err_t> codes;
  codes.reserve(errors.size());
  for (const int error : errors) codes.push_back(static_cast<rd_kafka_resp_err_t>(error));
  rd_kafka_mock_push_request_errors_array(impl_->mock, static_cast<std::int16_t>(api_key),
                                          codes.size(), codes.data());
}

void KafkaMockCluster::set_partition_leader(const std::string& topic, int partition,
                                            int broker_id) {
  rd_kafka_mock_partition_set_leader(impl_->mock, topic.c_str(), partition, broker_id);
}

int KafkaMockCluster::broker_count() const {
  return impl_->brokers;
}

}  // namespace clientele::infra
