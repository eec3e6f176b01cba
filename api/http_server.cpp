#include "api/http_server.hpp"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/peer.h>
#include <sys/socket.h>

#include <condition_variable>
#include <mutex>
#include <optional>

#include "api/envelope.hpp"
#include "domain/validation.hpp"

namespace clientele::api {
namespace {

namespace Http = Pistache::Http;
namespace Tcp = Pistache::Tcp;
using Clock = std::chrono::steady_clock;

// Where a connection's state is kept among the peer's data.
constexpr const char* kConnectionKey = "clientele.connection";

// A response header with any name. Pistache 0.0.5 writes only typed headers (the raw ones a
// response carries are dropped), so every other header goes out as one of these. Its hash is
// not a registered header's, so Pistache's header_cast never takes it for one.
class NamedHeader final : public Http::Header::Header {
 public:
  NamedHeader(std::string name, std::string value)
      : name_(std::move(name)), value_(std::move(value)) {}
  const char* name() const override { return name_.c_str(); }
  void write(std::ostream& os) const override { os << value_; }
#ifdef SAFE_HEADER_CAST
  uint64_t hash() const override {
    return Http::Header::detail::hash("clientele.NamedHeader");
  }
#endif

 private:
  std::string name_;   // as written
  std::string value_;  // as written
};

Method method_of(Http::Method method) {
  switch (method) {
    case Http::Method::Get:
      return Method::Get;
    case Http::Method::Head:
      return Method::Head;
    case Http::Method::Post:
      return Method::Post;
    case Http::Method::Put:
      return Method::Put;
    case Http::Method::Patch:
      return Method::Patch;
    case Http::Method::Delete:
      return Method::Delete;
    case Http::Method::Options:
      return Method::Options;
    default:
      return Method::Other;
  }
}

// Whether the client wants the connection kept after this request (HTTP/1.1: unless it says
// close; HTTP/1.0: only if it says keep-alive).
bool wants_keep_alive(const Http::Request& request) {
  const auto connection = request.headers().tryGet<Http::Header::Connection>();
  if (connection) return connection->control() != Http::ConnectionControl::Close;
  return request.version() == Http::Version::Http11;
}

Request to_request(const Http::Request& from, const Tcp::Peer& peer) {
  Request request;
  request.client_address = peer.address().host();
  request.method = method_of(from.method());
  request.path = from.resource();
  for (const auto& name : from.query().parameters()) {
    request.query.emplace_back(name, from.query().get(name).value_or(""));
  }
  for (const auto& [name, raw] : from.headers().rawList()) request.headers.add(name, raw.value());
  request.body_text = from.body();
  return request;
}

}  // namespace

// What the server's threads share: the dispatcher, the metrics, and the count of requests in
// flight that drain() waits for.
struct HttpServer::Core {
  Core(Dispatcher d, HttpMetrics& m, ServerOptions o)
      : dispatcher(std::move(d)), metrics(m), options(std::move(o)) {}

  // One request being received or answered; the count drops when the last holder lets go: once
  // its answer is written, or its connection is gone.
  struct InFlight {
    explicit InFlight(std::shared_ptr<Core> c) : core(std::move(c)) {}
    ~InFlight() {
      core->metrics.add_in_flight(-1);
      {
        std::lock_guard lock(core->mu);
        --core->in_flight;
      }
      core->idle.notify_all();
    }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;
    std::shared_ptr<Core> core;  // kept alive until the count drops
  };

  // Counts a request that begins now; null while draining (it is then refused, not counted).
  static std::shared_ptr<InFlight> begin(const std::shared_ptr<Core>& core) {
    std::lock_guard lock(core->mu);
    if (core->draining) return nullptr;
    ++core->in_flight;
    core->metrics.add_in_flight(1);
    return std::make_shared<InFlight>(core);
  }

  bool draining_now() const {
    std::lock_guard lock(mu);
    return draining;
  }

  const Dispatcher dispatcher;                      // the routes
  HttpMetrics& metrics;                             // every answer is counted here
  const ServerOptions options;                      // limits and timeouts
  std::optional<Http::Endpoint::Options> pistache;  // kept for the endpoint's lifetime

  mutable std::mutex mu;
  std::condition_variable idle;  // notified when in_flight drops
  std::size_t in_flight = 0;     // guarded by mu
  bool draining = false;         // guarded by mu
};

namespace {

// The state of one connection, kept among its peer's data; used by its transport's thread only.
struct Connection {
  bool in_request = false;    // a request has begun and is not answered yet
  bool closing = false;       // answered with "Connection: close": later input is dropped
  bool headers_seen = false;  // the headers of the request in progress are in
  Clock::time_point started;  // the first byte of the request in progress
  std::shared_ptr<HttpServer::Core::InFlight> counted;  // the request, unless refused (draining)
};

// Pistache's handler, one copy per worker thread (Pistache clones it), all sharing the Core.
// It replaces Http::Handler's onConnection and onInput (what they do is in http_server.hpp) and
// never calls onRequest.
class PistacheHandler final : public Http::Handler {
 public:
  HTTP_PROTOTYPE(PistacheHandler)

  explicit PistacheHandler(std::shared_ptr<HttpServer::Core> core) : core_(std::move(core)) {}

  // Unused: onInput dispatches itself. Answers 500 should Pistache ever call it.
  void onRequest(const Http::Request&, Http::ResponseWriter writer) override {
    writer.send(Http::Code::Internal_Server_Error, failure(500, "internal error").body);
  }

 private:
  void onConnection(const std::shared_ptr<Tcp::Peer>& peer) override {
    // What Http::Handler::onConnection does (the parser, which Pistache's timeouts read too).
    peer->putData(ParserData, std::make_shared<Http::RequestParser>(getMaxRequestSize()));
    peer->putData(kConnectionKey, std::make_shared<Connection>());
  }

  void onInput(const char* data, size_t length, const std::shared_ptr<Tcp::Peer>& peer) override {
    auto& connection = *std::static_pointer_cast<Connection>(peer->getData(kConnectionKey));
    if (connection.closing) return;
    auto parser = getParser(peer);
    if (!connection.in_request) begin(peer, connection, *parser);
    if (connection.closing) return;  // refused: draining
    try {
      if (!parser->feed(data, length)) {
        return refuse(peer, connection, *parser,
                      payload_too_large(core_->dispatcher.options().max_body_bytes));
      }
      if (parser->parse() != Http::Private::State::Done)
        return on_headers(peer, connection, *parser);
    } catch (const Http::HttpError& e) {
      return refuse(peer, connection, *parser, unreadable_request(e.code(), e.reason()));
    } catch (const std::exception& e) {
      return refuse(peer, connection, *parser, unreadable_request(400, e.what()));
    }
    answer(peer, connection, *parser);
  }

  // The first bytes of a request arrived on `peer`.
  void begin(const std::shared_ptr<Tcp::Peer>& peer, Connection& connection,
             Http::RequestParser& parser) {
    parser.reset();        // Pistache's timeouts count from here (the parser's time)
    peer->setIdle(false);  // and the header and body timeouts apply, not the keep-alive one
    connection.in_request = true;
    connection.headers_seen = false;
    connection.started = Clock::now();
    connection.counted = HttpServer::Core::begin(core_);
    if (!connection.counted) refuse(peer, connection, parser, shutting_down());
  }

  // Once the headers are in and the body is not: refuses a body declared larger than the limit
  // before it comes; else asks for it when the client waits to be asked ("Expect:
  // 100-continue"), which Pistache does not do.
  void on_headers(const std::shared_ptr<Tcp::Peer>& peer, Connection& connection,
                  Http::RequestParser& parser) {
    if (connection.headers_seen || parser.step()->id() != Http::Private::BodyStep::Id) return;
    connection.headers_seen = true;
    const auto& headers = parser.request.headers();
    const auto declared = headers.tryGet<Http::Header::ContentLength>();
    const auto limit = core_->dispatcher.options().max_body_bytes;
    if (declared && declared->value() > limit) {
      return refuse(peer, connection, parser, payload_too_large(limit));
    }
    const auto expect = headers.tryGetRaw("Expect");
    if (expect && ascii_lower(expect->value()) == "100-continue") {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      peer->send(Pistache::RawBuffer(kContinue.data(), kContinue.size()));
    }
  }

  // Answers the request `parser` holds whole, and readies the connection for the next one.
  void answer(const std::shared_ptr<Tcp::Peer>& peer, Connection& connection,
              Http::RequestParser& parser) {
    const auto& request = parser.request;
    const bool keep_alive = wants_keep_alive(request);
    const auto method = method_of(request.method());
    auto answered = core_->dispatcher.dispatch(to_request(request, *peer));
    send(peer, connection, request.version(), answered.response, !keep_alive, method,
         answered.route);
    parser.reset();
  }

  // Answers `response` and closes the connection: the rest of what the client sends on it is
  // dropped unread.
  void refuse(const std::shared_ptr<Tcp::Peer>& peer, Connection& connection,
              Http::RequestParser& parser, const Response& response) {
    const auto& request = parser.request;
    const bool has_line = parser.step()->id() != Http::Private::RequestLineStep::Id;
    const auto method = has_line ? method_of(request.method()) : Method::Other;
    const auto route =
        has_line ? core_->dispatcher.route_label(method, request.resource()) : kUnmatchedRoute;
    send(peer, connection, has_line ? request.version() : Http::Version::Http11, response,
         /*close=*/true, method, route);
    parser.reset();  // frees what was buffered
  }

  // Sends `response` from this thread and counts it; the request stops being in flight once the
  // answer is written. With `close`, says so, drops later input and shuts the write side once
  // the answer is out.
  void send(const std::shared_ptr<Tcp::Peer>& peer, Connection& connection, Http::Version version,
            const Response& response, bool close, Method method, std::string_view route) {
    close = close || core_->draining_now();
    core_->metrics.observe(method, route, response.status, Clock::now() - connection.started);
    auto counted = std::move(connection.counted);
    connection.in_request = false;
    connection.closing = close;
    const std::weak_ptr<Tcp::Peer> weak = peer;
    auto written = [counted, weak, close](ssize_t) {
      if (auto alive = weak.lock(); alive && close) ::shutdown(alive->fd(), SHUT_WR);
    };
    auto lost = [counted](const std::exception_ptr&) {};
    try {
      write(peer, version, response, close).then(written, lost);
    } catch (const std::exception&) {  // e.g. an answer over max_response_bytes
      write(peer, version, failure(500, "internal error"), close).then(written, lost);
    }
  }

  Pistache::Async::Promise<ssize_t> write(const std::shared_ptr<Tcp::Peer>& peer,
                                          Http::Version version, const Response& response,
                                          bool close) {
    Http::ResponseWriter writer(version, transport(), this, peer);
    auto& headers = writer.headers();
    headers.add<Http::Header::Connection>(close ? Http::ConnectionControl::Close
                                                : Http::ConnectionControl::KeepAlive);
    headers.add<Http::Header::ContentType>(Http::Mime::MediaType(response.content_type));
    for (const auto& [name, value] : response.headers) {
      headers.add(std::make_shared<NamedHeader>(name, value));
    }
    return writer.send(static_cast<Http::Code>(response.status), response.body);
  }

  std::shared_ptr<HttpServer::Core> core_;  // shared by every copy
};

}  // namespace

HttpServer::HttpServer(Dispatcher dispatcher, HttpMetrics& metrics, ServerOptions options)
    : core_(std::make_shared<Core>(std::move(dispatcher), metrics, std::move(options))) {}

HttpServer::~HttpServer() {
  stop();
}

Result<std::uint16_t> HttpServer::start() {
  const auto& options = core_->options;
  const std::string address = options.host + ":" + std::to_string(options.port);
  try {
    endpoint_ = std::make_unique<Http::Endpoint>(
        Pistache::Address(options.host, Pistache::Port(options.port)));
    core_->pistache.emplace(
        Http::Endpoint::options()
            .threads(options.threads)
            .threadsName("clientele-http")
            .flags(Tcp::Options::ReuseAddr | Tcp::Options::NoDelay)
            .maxRequestSize(options.max_head_bytes + core_->dispatcher.options().max_body_bytes)
            .maxResponseSize(options.max_response_bytes)
            .headerTimeout(options.header_timeout)
            .bodyTimeout(options.body_timeout)
            .keepaliveTimeout(options.keepalive_timeout));
    // init() keeps a reference to its argument in some 0.0.5 snapshots: it lives in the Core.
    endpoint_->init(*core_->pistache);
    endpoint_->setHandler(std::make_shared<PistacheHandler>(core_));
    endpoint_->serveThreaded();
  } catch (const std::exception& e) {
    endpoint_.reset();
    return make_error(errc::unavailable, "listen", "cannot listen on " + address + ": " + e.what());
  }
  return static_cast<std::uint16_t>(endpoint_->getPort());
}

void HttpServer::refuse_new_requests() {
  std::lock_guard lock(core_->mu);
  core_->draining = true;
}

bool HttpServer::drain(std::chrono::milliseconds limit) {
  std::unique_lock lock(core_->mu);
  core_->draining = true;
  return core_->idle.wait_for(lock, limit, [this] { return core_->in_flight == 0; });
}

void HttpServer::stop() {
  if (stopped_ || !endpoint_) return;
  stopped_ = true;
  endpoint_->shutdown();
  endpoint_.reset();
}

std::size_t HttpServer::in_flight() const {
  std::lock_guard lock(core_->mu);
  return core_->in_flight;
}

}  // namespace clientele::api
