#pragma once
// The HTTP server: Pistache 0.0.5 (Debian 12) carrying requests to the dispatcher, with the
// cautions that version needs (DESIGN.md §6). What Pistache 0.0.5 does by itself, and what this
// server does instead:
//
// - Request size. Pistache buffers a whole request (line, headers, body) up to maxRequestSize
//   (4 KiB unless raised). Past it, it answers "413 Request Entity Too Large" with the text body
//   "Request exceeded maximum buffer size", keeps the connection open, and parses the rest of the
//   body as new requests: one upload of 1 MiB gets about fifteen more 413s (or 400s), which a
//   keep-alive client takes for the answers to its next requests. Here maxRequestSize is the
//   body limit plus the head limit, set deliberately; a body declared larger than the limit
//   (Content-Length) is refused with the envelope and 413 as soon as the headers are in, before
//   any of it is buffered, and one that grows past it (chunked) as soon as it does. The answer
//   says "Connection: close", the write side is shut once it is sent, and whatever the client
//   still sends on that connection is read and dropped, never parsed.
// - "Expect: 100-continue": Pistache never answers it, so such a client waits (curl: 1 s) before
//   sending its body. Here the server answers "100 Continue" once the headers are in and the
//   declared size is within the limit (and 413 at once when it is not).
// - Malformed requests (unknown method, bad version, bad chunk): Pistache answers 400 with text
//   and goes on parsing the same byte stream. Here: the envelope, and the connection is closed
//   as above.
// - Timeouts. Pistache checks its header and body timeouts only on a connection's first request,
//   and measures them from the end of the previous request: on a keep-alive connection a slow
//   client falls under the keep-alive timeout instead. Here each request restarts the clock at
//   its first byte and marks the connection busy, so the header and body timeouts apply to
//   every request. All three are set explicitly (ServerOptions). A timed-out request is answered
//   by Pistache itself: "408 Request Timeout", no body, and the connection is closed.
// - Keep-alive. Pistache answers "Connection: Close" to every HTTP/1.1 request without a
//   Connection header yet leaves the connection open. Here HTTP/1.1 connections stay alive
//   unless the client asks to close; HTTP/1.0 ones close unless it asks to keep them.
// - Routes. Pistache's router inserts into a map shared by its threads when a request has a
//   method it has no route for. Here the router is our own (router.hpp), fixed before start().
// - Threads. Each answer is sent from the thread that handled the request (routes return a
//   Response; they never see the connection).
// - Shutdown. Endpoint::shutdown() stops the threads at once: answers still queued are lost.
//   Here drain() first refuses requests that begin later (503) and waits until every request
//   begun before is answered and written.
// - Pipelining. Like Pistache, a request sent before the previous answer arrived, in the same
//   read, is dropped (clients do not pipeline by default).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "api/dispatcher.hpp"
#include "api/metrics.hpp"
#include "domain/result.hpp"

namespace Pistache::Http {
class Endpoint;
}

namespace clientele::api {

struct ServerOptions {
  std::string host = "127.0.0.1";  // the address to listen on (DESIGN.md §7: loopback)
  std::uint16_t port = 8080;       // 0: a free port the system picks; start() returns it
  int threads = 2;                 // worker threads; each serves the connections it is given
  std::size_t max_head_bytes = 16 * 1024;  // request line and headers; bodies: DispatchOptions
  std::chrono::milliseconds header_timeout{10'000};  // from a request's first byte to its headers
  std::chrono::milliseconds body_timeout{30'000};    // from a request's first byte to its end
  std::chrono::milliseconds keepalive_timeout{60'000};  // an idle connection is closed after it
  std::size_t max_response_bytes = 16 * 1024 * 1024;    // larger answers are a 500
};

class HttpServer {
 public:
  // Serves `dispatcher`'s routes, counting every answer in `metrics` (which must outlive the
  // server).
  HttpServer(Dispatcher dispatcher, HttpMetrics& metrics, ServerOptions options);
  ~HttpServer();  // stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the address and starts the worker threads. Returns the port bound.
  // errc::unavailable when the address cannot be bound (e.g. in use), naming it.
  Result<std::uint16_t> start();

  // From now on answers every request that begins with 503 and closes its connection.
  // Thread-safe.
  void refuse_new_requests();

  // refuse_new_requests(), then waits up to `limit` until every request that began before is
  // answered and its answer written. Returns whether all were. Thread-safe.
  bool drain(std::chrono::milliseconds limit);

  // Stops the threads and closes every connection. Idempotent.
  void stop();

  // Requests begun and not yet answered and written (draining ones excepted).
  std::size_t in_flight() const;

  struct Core;

 private:
  std::shared_ptr<Core> core_;                          // shared with Pistache's handlers
  std::unique_ptr<Pistache::Http::Endpoint> endpoint_;  // null until start()
  bool stopped_ = false;                                // stop() ran
};

}  // namespace clientele::api
