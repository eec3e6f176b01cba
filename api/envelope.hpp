#pragma once
// The answer envelope of DESIGN.md §6. Every JSON answer of the API is
//   {"success":bool,"message":str,"data":...,"errors":[{"field":str,"message":str}]}
// Messages and errors never hold personal data: they name fields and rules, never values.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "api/http.hpp"

namespace clientele::api {

// One problem with one input. `field` is the camelCase name clients use ("preferences.language",
// "items[0].quantity"), or empty when no single field is at fault.
struct FieldError {
  std::string field;
  std::string message;

  bool operator==(const FieldError&) const = default;
};

// The envelope itself.
nlohmann::json envelope(bool success, std::string_view message, nlohmann::json data,
                        const std::vector<FieldError>& errors);

// A successful answer: `status` (200, 201, 202) with `data`.
Response success(int status, std::string_view message, nlohmann::json data = nullptr);

// A failed answer: `status` with `errors`, and `data` when there is more to say (usually none).
Response failure(int status, std::string_view message, const std::vector<FieldError>& errors = {},
                 nlohmann::json data = nullptr);

}  // namespace clientele::api
