#pragma once
// The route table (DESIGN.md §6). Every route is added before the server starts; the server
// takes the router whole, so the table is never changed while requests are answered (Pistache's
// own router inserts into a shared map when a request comes with a method it has no route for,
// which is why the API does not use it).

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/http.hpp"
#include "domain/result.hpp"

namespace clientele::api {

// Whether a route reads a JSON request body. A route that does not accepts no body but an empty
// object: any member is an unknown field.
enum class Body { none, json };

// Who may call a route (DESIGN.md §6). The dispatcher checks it, the same way for every route,
// before the route runs: no valid access token is 401, a token of the wrong role 403.
enum class Access {
  anyone,         // no token needed
  signed_in,      // a customer or an administrator
  customer,       // a customer (the routes about "me")
  administrator,  // an administrator
};

struct Route {
  Method method;
  std::string path;  // the template, e.g. "/api/v1/customers/:customerId"; the metrics label
  Handler handler;
  Body body = Body::none;
  Access access = Access::anyone;
  std::vector<std::string> segments;  // `path` split at '/'; ":name" binds a parameter
};

// The label of requests that match no route, in the metrics.
inline constexpr std::string_view kUnmatchedRoute = "unmatched";

class Router {
 public:
  // Adds a route. `path` starts with '/'; each segment is literal or ":name", which matches one
  // non-empty segment and binds it as parameter `name`. errc::invalid for a malformed template;
  // errc::conflict when a route of the same method has the same shape.
  Result<void> add(Method method, std::string path, Handler handler, Body body = Body::none,
                   Access access = Access::anyone);

  struct Match {
    const Route* route = nullptr;                            // null: none for this method
    std::map<std::string, std::string, std::less<>> params;  // of `route`
    std::vector<Method> allowed;  // when `route` is null: the methods the path has routes for
  };
  // The route of `method` matching `path`; where several do, the one whose first differing
  // segment is literal. With none, `allowed` says whether the path exists for other methods
  // (405) or not at all (404). Thread-safe (const).
  Match match(Method method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;  // in the order added
};

}  // namespace clientele::api
