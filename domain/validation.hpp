#pragma once
// Shape checks shared by the deciders. Each returns an Error of errc::invalid naming `field`,
// or success. Messages never repeat the value (it may be personal).

#include <cstddef>
#include <string>
#include <string_view>

#include "domain/result.hpp"

namespace clientele {

// Number of Unicode code points in a UTF-8 string; invalid UTF-8 counts bytes.
std::size_t utf8_length(std::string_view s);
bool is_valid_utf8(std::string_view s);

// Text of `min`..`max` code points, valid UTF-8, without control characters other than
// newline and tab when `multiline`.
Result<void> check_text(std::string_view field, std::string_view value, std::size_t min,
                        std::size_t max, bool multiline = false);
// As check_text, but an empty value is accepted.
Result<void> check_optional_text(std::string_view field, std::string_view value, std::size_t max,
                                 bool multiline = false);

// Pragmatic RFC 5321 shape: local@domain, at most 254 characters, a dotted domain whose
// last label is at least two letters.
bool is_email(std::string_view s);
Result<void> check_email(std::string_view field, std::string_view value);
// `text` with ASCII letters lower-cased (other bytes as they are).
std::string ascii_lower(std::string_view text);
// Lower-cased, surrounding white space removed: the form used for uniqueness.
std::string normalize_email(std::string_view email);

// E.164: '+', then 8 to 15 digits, the first not 0.
bool is_e164(std::string_view s);
Result<void> check_phone(std::string_view field, std::string_view value);

// ISO 3166-1 alpha-2 (assigned codes), upper case.
bool is_country_code(std::string_view s);
// ISO 4217 active currency codes, upper case.
bool is_currency_code(std::string_view s);
// The shape of a language tag: two lower-case letters ("en"), optionally a region of two
// upper-case letters ("en-US"). Whether the code is assigned is not checked.
bool is_language_tag(std::string_view s);

}  // namespace clientele
