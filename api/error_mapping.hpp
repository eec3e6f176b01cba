#pragma once
// The one place where the project's error codes (domain/result.hpp) become HTTP status codes
// (STYLE.md: "HTTP codes are chosen in api/ only"; DESIGN.md §6):
//
//   errc::invalid     400  the request is malformed or breaks a rule
//   errc::not_found   404  the thing addressed does not exist, or is not the caller's
//   errc::conflict    409  the current state forbids the request (e.g. a duplicate)
//   errc::forbidden   403  the caller may not do this
//   errc::unavailable 503  a dependency did not answer in time; the outcome may be unknown
//   errc::corrupt     500  stored data failed an integrity check
//
// The statuses the protocol itself decides (401, 405, 413, 415, 422, 429) are answered where they
// arise, by the server and the middleware, not from an errc; 412 is the conflict of a stale
// If-Match (kIfMatch).

#include <vector>

#include "api/envelope.hpp"
#include "api/http.hpp"
#include "domain/result.hpp"

namespace clientele::api {

// The HTTP status for `code` (the table above).
int http_status(errc code);

// The field of the errc::conflict a stale expected version is (commands/command_bus.hpp): 412.
inline constexpr std::string_view kIfMatch = "If-Match";

// The failed answer for `error`: its status, its message, and its field as the one entry of
// `errors` when it names one; for a 500 only "internal error" (the caller logs the details).
Response error_response(const Error& error);

// 400 listing every per-field problem of a request.
Response validation_failed(const std::vector<FieldError>& errors);

}  // namespace clientele::api
