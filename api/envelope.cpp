#include "api/envelope.hpp"

namespace clientele::api {

nlohmann::json envelope(bool success, std::string_view message, nlohmann::json data,
                        const std::vector<FieldError>& errors) {
  auto listed = nlohmann::json::array();
  for (const auto& error : errors) {
    listed.push_back({{"field", error.field}, {"message", error.message}});
  }
  return {{"success", success},
          {"message", message},
          {"data", std::move(data)},
          {"errors", std::move(listed)}};
}

Response success(int status, std::string_view message, nlohmann::json data) {
  return Response{.status = status, .body = envelope(true, message, std::move(data), {}).dump()};
}

Response failure(int status, std::string_view message, const std::vector<FieldError>& errors,
                 nlohmann::json data) {
  return Response{.status = status,
                  .body = envelope(false, message, std::move(data), errors).dump()};
}

}  // namespace clientele::api
