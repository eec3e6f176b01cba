#include "api/http.hpp"

#include "domain/validation.hpp"

namespace clientele::api {

std::string_view to_string(Method method) {
  switch (method) {
    case Method::Get:
      return "GET";
    case Method::Head:
      return "HEAD";
    case Method::Post:
      return "POST";
    case Method::Put:
      return "PUT";
    case Method::Patch:
      return "PATCH";
    case Method::Delete:
      return "DELETE";
    case Method::Options:
      return "OPTIONS";
    case Method::Other:
      break;
  }
  return "OTHER";
}

void Headers::add(std::string_view name, std::string value) {
  entries_.emplace_back(ascii_lower(name), std::move(value));
}

std::optional<std::string_view> Headers::get(std::string_view lower_name) const {
  for (const auto& [name, value] : entries_) {
    if (name == lower_name) return value;
  }
  return std::nullopt;
}

std::optional<std::string_view> Request::param(std::string_view name) const {
  const auto found = params.find(name);
  if (found == params.end()) return std::nullopt;
  return found->second;
}

std::optional<std::string_view> Request::query_value(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return std::nullopt;
}

Actor Request::actor() const {
  return Actor{UserId(caller->id), caller->role};
}

}  // namespace clientele::api
