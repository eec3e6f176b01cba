#pragma once
// HTTP clients for the end-to-end tests: a small libcurl one (one request per call, on a
// connection of its own), and a raw TCP connection for what libcurl does not send.

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace clientele::testing {

struct HttpAnswer {
  long status = 0;                             // 0 when no answer came (see `error`)
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string error;                           // libcurl's error when the request failed
  std::chrono::steady_clock::duration took{};  // from the call to the whole answer

  // The body as JSON (discarded when it is not).
  nlohmann::json json() const;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url{};
  std::string body{};                  // sent when not empty
  std::vector<std::string> headers{};  // "Name: value"
  std::chrono::milliseconds timeout{10'000};
};

// Sends `request` and returns its answer. Never sends "Expect: 100-continue".
HttpAnswer http(const HttpRequest& request);

// GET `url`.
HttpAnswer http_get(const std::string& url);

// A plain TCP connection to a server on loopback, for what libcurl does not do: a request sent in
// pieces or malformed, several requests on one connection, and watching the server close.
class RawConnection {
 public:
  // Connects to 127.0.0.1:`port`; throws std::runtime_error when it cannot.
  explicit RawConnection(std::uint16_t port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Sends all of `bytes`; false when the connection is broken.
  bool send(std::string_view bytes);
  // Reads one whole answer (headers and a Content-Length body), waiting up to `limit`; returns
  // what was read (less when the time ran out or the server closed first).
  std::string read_answer(std::chrono::milliseconds limit);
  // Reads until the server closes the connection or `limit` passes; returns what was read and
  // sets closed() when the server closed.
  std::string read_until_closed(std::chrono::milliseconds limit);
  bool closed() const { return closed_; }

 private:
  // Reads what is there within `deadline` into buffer_; false on timeout or close.
  bool read_more(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;          // the socket
  std::string buffer_;   // read and not yet returned
  bool closed_ = false;  // the server closed its side
};

// The port of "HOST:PORT".
std::uint16_t port_of(const std::string& address);

}  // namespace clientele::testing
