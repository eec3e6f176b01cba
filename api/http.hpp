#pragma once
// The HTTP vocabulary of the API, independent of the server library (DESIGN.md §6): methods,
// requests as routes see them, responses as routes return them, and the logging hook the API
// reports through (api/ depends on no adapter; tools/ passes the process's logger).

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/context.hpp"

namespace clientele::api {

enum class Method { Get, Head, Post, Put, Patch, Delete, Options, Other };

// "GET", "HEAD", ..., "OTHER" (for a method the API does not know).
std::string_view to_string(Method method);

// Request headers as received, names lower-cased. Lookups are by lower-case name.
class Headers {
 public:
  void add(std::string_view name, std::string value);
  // The value of the first header named `lower_name`, or nullopt.
  std::optional<std::string_view> get(std::string_view lower_name) const;

 private:
  std::vector<std::pair<std::string, std::string>> entries_;  // (lower-case name, value)
};

// Who sent a request, as its access token says (api/jwt.hpp).
struct Caller {
  std::string id;  // the customer id, or the administrator's user id
  Role role = Role::Customer;

  bool operator==(const Caller&) const = default;
};

// One request as a route sees it. The transport fills the first members; the dispatcher fills
// `params`, `body` and `caller` before the route runs.
struct Request {
  Method method = Method::Get;
  std::string path;                                        // without the query; not decoded
  std::vector<std::pair<std::string, std::string>> query;  // query parameters in order
  Headers headers;
  std::string body_text;       // the body as received
  std::string client_address;  // the peer's IP address, as the transport saw it

  std::map<std::string, std::string, std::less<>> params;  // path parameters by name
  nlohmann::json body;           // `body_text` parsed; null when the request had no body
  std::optional<Caller> caller;  // set by the dispatcher for routes that need a token

  std::optional<std::string_view> param(std::string_view name) const;
  std::optional<std::string_view> query_value(std::string_view name) const;
  // The caller as the actor of a command. Only on routes that need a token.
  Actor actor() const;
};

// One answer. Routes build it with envelope.hpp; the server sends it from the thread that
// handled the request.
struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body{};
  std::vector<std::pair<std::string, std::string>> headers{};  // more headers: (name, value)
};

// A route: answers one request. Called on a server thread, concurrently with other requests;
// must not throw (an exception is answered 500 and logged without its message).
using Handler = std::function<Response(const Request&)>;

enum class LogLevel { info, warn, error };
// Where the API logs. Fields and messages never hold personal data (no paths, no bodies).
using Log =
    std::function<void(LogLevel level, std::string_view message, const nlohmann::json& fields)>;

}  // namespace clientele::api
