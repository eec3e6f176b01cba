#include "api/error_mapping.hpp"

namespace clientele::api {

int http_status(errc code) {
  switch (code) {
    case errc::invalid:
      return 400;
    case errc::not_found:
      return 404;
    case errc::conflict:
      return 409;
    case errc::forbidden:
      return 403;
    case errc::unavailable:
      return 503;
    case errc::corrupt:
      break;
  }
  return 500;
}

Response error_response(const Error& error) {
  // A stale If-Match is the protocol's own answer (RFC 9110): the resource changed meanwhile.
  if (error.code == errc::conflict && error.field == kIfMatch) {
    return failure(412, "the resource was changed since it was read; read it again",
                   {{error.field, error.message}});
  }
  const int status = http_status(error.code);
  // Internal details stay in the logs.
  if (status == 500) return failure(status, "internal error");
  std::vector<FieldError> errors;
  if (!error.field.empty()) errors.push_back({error.field, error.message});
  return failure(status, error.message, errors);
}

Response validation_failed(const std::vector<FieldError>& errors) {
  return failure(400, "the request is not valid", errors);
}

}  // namespace clientele::api
