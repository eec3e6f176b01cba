#include "api/query_reader.hpp"

#include <charconv>

namespace clientele::api {
namespace {

// The value of hex digit `c`, or -1.
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = hex_value(text[i + 1]), low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

QueryReader::QueryReader(const Request& request) : request_(request) {}

std::optional<std::string> QueryReader::string(std::string_view name, std::size_t max_length) {
  read_.emplace(name);
  const auto raw = request_.query_value(name);
  if (!raw) return std::nullopt;
  auto value = percent_decode(*raw);
  if (!value) {
    fail(name, "is not percent-encoded correctly");
  } else if (value->empty()) {
    fail(name, "must not be empty");
  } else if (value->size() > max_length) {
    fail(name, "must be at most " + std::to_string(max_length) + " characters");
  } else {
    return value;
  }
  return std::nullopt;
}

std::optional<std::int64_t> QueryReader::integer(std::string_view name, std::int64_t min,
                                                 std::int64_t max) {
  const auto text = string(name, 20);
  if (!text) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || value < min || value > max) {
    fail(name, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> QueryReader::one_of(std::string_view name,
                                               std::initializer_list<std::string_view> allowed) {
  auto text = string(name, 100);
  if (!text) return std::nullopt;
  std::string listed;
  for (const auto choice : allowed) {
    if (*text == choice) return text;
    listed += (listed.empty() ? "" : ", ") + std::string(choice);
  }
  fail(name, "must be one of " + listed);
  return std::nullopt;
}

void QueryReader::fail(std::string_view name, std::string message) {
  problems_.push_back({std::string(name), std::move(message)});
}

std::vector<FieldError> QueryReader::finish() {
  for (const auto& [name, value] : request_.query) {
    if (!read_.contains(name)) fail(name, "is not a parameter of this request");
  }
  return std::move(problems_);
}

}  // namespace clientele::api
