#include "api/dispatcher.hpp"

#include <typeinfo>

#include "api/envelope.hpp"
#include "api/error_mapping.hpp"
#include "api/request_reader.hpp"

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

Dispatcher::Answer Dispatcher::dispatch(Request request) const {
  auto match = router_.match(request.method, request.path);
  if (match.route == nullptr) {
    if (match.allowed.empty()) return {failure(404, "there is no such resource"), kUnmatchedRoute};
    return {method_not_allowed(match.allowed), kUnmatchedRoute};
  }
  const Route& route = *match.route;
  try {
    request.params = std::move(match.params);
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
