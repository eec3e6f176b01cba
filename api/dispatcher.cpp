#include "api/dispatcher.hpp"

#include <typeinfo>

#include "api/envelope.hpp"
#include "api/error_mapping.hpp"
#include "api/request_reader.hpp"
#include "domain/validation.hpp"

namespace clientele::api {
namespace {

Response method_not_allowed(const std::vector<Method>& allowed) {
  std::string methods;
  for (const auto method : allowed) {
    if (!methods.empty()) methods += ", ";
    methods += to_string(method);
  }
  auto response = failure(405, "this method is not allowed here; see the Allow header");
  response.headers.emplace_back("Allow", methods);
  return response;
}

// The type name of the exception being handled. Call only inside a catch block.
std::string current_exception_type() {
  try {
    throw;
  } catch (const std::exception& e) {
    return typeid(e).name();
  } catch (...) {
    return "not a std::exception";
  }
}

// 401 with the challenge of RFC 6750.
Response unauthenticated(std::string_view message, std::string_view challenge) {
  auto response = failure(401, std::string(message));
  response.headers.emplace_back("WWW-Authenticate", std::string(challenge));
  return response;
}

bool role_may(Access access, Role role) {
  switch (access) {
    case Access::anyone:
      return true;
    case Access::signed_in:
      return role == Role::Customer || role == Role::Administrator;
    case Access::customer:
      return role == Role::Customer;
    case Access::administrator:
      return role == Role::Administrator;
  }
  return false;
}

}  // namespace

Response payload_too_large(std::size_t max_body_bytes) {
  return failure(413,
                 "the request body is larger than " + std::to_string(max_body_bytes) + " bytes");
}

Response shutting_down() {
  return failure(503, "the service is shutting down");
}

Response unreadable_request(int status, std::string_view reason) {
  return failure(status, "the HTTP request cannot be read: " + std::string(reason));
}

Dispatcher::Dispatcher(Router router, DispatchOptions options)
    : router_(std::move(router)), options_(std::move(options)) {}

std::string_view Dispatcher::route_label(Method method, std::string_view path) const {
  const auto match = router_.match(method, path);
  return match.route != nullptr ? std::string_view(match.route->path) : kUnmatchedRoute;
}

std::optional<Response> Dispatcher::refuse_body(const Route& route, Request& request) const {
  if (request.body_text.size() > options_.max_body_bytes) {
    return payload_too_large(options_.max_body_bytes);
  }
  if (request.body_text.empty()) return std::nullopt;
  const auto content_type = request.headers.get("content-type");
  if (!content_type || !is_json_media_type(*content_type)) {
    return failure(415, "request bodies must be application/json");
  }
  auto parsed = parse_json_body(request.body_text, options_.max_json_depth);
  if (!parsed) return error_response(parsed.error());
  request.body = std::move(*parsed);
  if (route.body == Body::none) {
    auto problems = RequestReader(request.body).finish();
    if (!problems.empty()) return validation_failed(problems);
  }
  return std::nullopt;
}

std::optional<Response> Dispatcher::refuse_caller(const Route& route, Request& request) const {
  if (route.access == Access::anyone) return std::nullopt;
  constexpr std::string_view kScheme = "bearer ";
  const auto header = request.headers.get("authorization");
  if (!header || header->size() <= kScheme.size() ||
      ascii_lower(header->substr(0, kScheme.size())) != kScheme) {
    return unauthenticated("an access token is required", R"(Bearer realm="clientele")");
  }
  auto caller = options_.authenticate ? options_.authenticate(header->substr(kScheme.size()))
                                      : Result<Caller>(make_error(errc::invalid, "", "no tokens"));
  if (!caller) {
    if (options_.log) {
      options_.log(LogLevel::info, "access token refused",
                   {{"route", route.path}, {"reason", caller.error().message}});
    }
    return unauthenticated("the access token is not valid or has expired",
                           R"(Bearer realm="clientele", error="invalid_token")");
  }
  if (!role_may(route.access, caller->role)) {
    return failure(403, "this route is not open to your role");
  }
  request.caller = std::move(*caller);
  return std::nullopt;
}

Dispatcher::Answer Dispatcher::dispatch(Request request) const {
  auto match = router_.match(request.method, request.path);
  if (match.route == nullptr) {
    if (match.allowed.empty()) return {failure(404, "there is no such resource"), kUnmatchedRoute};
    return {method_not_allowed(match.allowed), kUnmatchedRoute};
  }
  const Route& route = *match.route;
  try {
    request.params = std::move(match.params);
    if (auto refused = refuse_caller(route, request)) return {std::move(*refused), route.path};
    if (auto refused = refuse_body(route, request)) return {std::move(*refused), route.path};
    return {route.handler(request), route.path};
  } catch (...) {
    // The exception's message may quote what the client sent: only its type is logged.
    if (options_.log) {
      options_.log(LogLevel::error, "a route failed",
                   {{"route", route.path},
                    {"method", to_string(route.method)},
                    {"exception", current_exception_type()}});
    }
  }
  return {failure(500, "internal error"), route.path};
}

}  // namespace clientele::api
