#pragma once
// What happens to a request between the transport and its route (DESIGN.md §6), the same for
// every route:
//   1. no route for the path: 404; a route for the path but not the method: 405 with Allow;
//      a route that needs an access token (Route::access) without a valid one: 401 with
//      WWW-Authenticate; with a token of the wrong role: 403;
//   2. a body over the limit: 413 (the server refuses most before reading them: http_server.hpp);
//   3. a body that is not declared application/json: 415;
//   4. a body that is not JSON, or nests deeper than the limit: 400;
//   5. a route that reads no body, given a non-empty object: 400 naming each member;
//   6. the route; an exception from it: 500, logged without its message.
// Every answer is the envelope of envelope.hpp.

#include <cstddef>
#include <optional>
#include <string_view>

#include "api/http.hpp"
#include "api/router.hpp"

namespace clientele::api {

struct DispatchOptions {
  std::size_t max_body_bytes = 64 * 1024;  // larger bodies are answered 413
  int max_json_depth = 16;                 // deeper bodies are answered 400 (an object is 1)
  Log log{};                               // where route failures are logged; may be empty
  // Who a bearer token names, or why it names no one (a reason fit for logs, not for clients).
  // Empty: every route that needs a token answers 401.
  std::function<Result<Caller>(std::string_view token)> authenticate{};
};

class Dispatcher {
 public:
  // Takes the whole route table: it does not change afterwards.
  Dispatcher(Router router, DispatchOptions options);

  struct Answer {
    Response response;
    std::string_view route;  // the template of the route matched, or kUnmatchedRoute
  };
  // Answers `request` (steps 1 to 6). Thread-safe; never throws.
  Answer dispatch(Request request) const;

  // The template `path` matches for `method`, or kUnmatchedRoute: the metrics label of a request
  // refused before it was dispatched.
  std::string_view route_label(Method method, std::string_view path) const;

  const DispatchOptions& options() const { return options_; }
  const Router& router() const { return router_; }

 private:
  // Steps 2 to 5 for a request whose route is `route`; fills `request.body`. nullopt when the
  // body may go to the route.
  std::optional<Response> refuse_body(const Route& route, Request& request) const;
  // Step 1's token check for `route`; fills `request.caller`. nullopt when the caller may go on.
  std::optional<Response> refuse_caller(const Route& route, Request& request) const;

  Router router_;            // never changed after construction
  DispatchOptions options_;  // limits
};

// The answers the transport gives itself, here so that they read like the dispatcher's.
Response payload_too_large(std::size_t max_body_bytes);
Response shutting_down();
// A request the transport cannot parse: `status` is 400, or 501 for what it does not implement.
Response unreadable_request(int status, std::string_view reason);

}  // namespace clientele::api
