#include "events/json_text.hpp"

#include "events/crypto.hpp"

namespace clientele::events {

JsonText& JsonText::string(std::string_view text) {
  text_ += '"';
  std::size_t run = 0;  // start of the characters not yet appended
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    text_.append(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        text_ += "\\\"";
        break;
      case '\\':
        text_ += "\\\\";
        break;
      case '\b':
        text_ += "\\b";
        break;
      case '\f':
        text_ += "\\f";
        break;
      case '\n':
        text_ += "\\n";
        break;
      case '\r':
        text_ += "\\r";
        break;
      case '\t':
        text_ += "\\t";
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        text_ += "\\u00";
        text_ += kHex[c >> 4];
        text_ += kHex[c & 0xf];
      }
    }
  }
  text_.append(text.data() + run, text.size() - run);
  text_ += '"';
  return *this;
}

JsonText& JsonText::base64(std::string_view bytes) {
  text_ += '"';
  append_base64(text_, bytes);
  text_ += '"';
  return *this;
}

}  // namespace clientele::events
