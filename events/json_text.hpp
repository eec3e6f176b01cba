#pragma once
// JSON text written straight into a growing string, for the hot paths (the log's payloads, the
// replay's lines) where building a nlohmann::json tree first would copy every value. The bytes
// are exactly those nlohmann::json::dump() writes for the same values.

#include <charconv>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace clientele::events {

class JsonText {
 public:
  JsonText() : serializer_(nlohmann::detail::output_adapter<char>(text_), ' ') {}
  JsonText(const JsonText&) = delete;
  JsonText& operator=(const JsonText&) = delete;

  std::string& text() { return text_; }
  std::string take() { return std::move(text_); }

  // Appends raw text: punctuation and member names the caller knows need no escaping.
  JsonText& raw(std::string_view text) {
    text_ += text;
    return *this;
  }
  // Appends `text` as a JSON string.
  JsonText& string(std::string_view text);
  // Appends `bytes` as a JSON string of their standard base64 (with padding).
  JsonText& base64(std::string_view bytes);
  template <class Integer>
  JsonText& integer(Integer value) {
    char digits[24];
    text_.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
    return *this;
  }
  // Appends `value` as nlohmann::json::dump() spells it.
  JsonText& value(const nlohmann::json& value) {
    serializer_.dump(value, false, false, 0);
    return *this;
  }

 private:
  std::string text_;                                         // the text so far
  nlohmann::detail::serializer<nlohmann::json> serializer_;  // appends to `text_`
};

}  // namespace clientele::events
