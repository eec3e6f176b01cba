#include "domain/validation.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <string>

namespace clientele {
namespace {

// ISO 3166-1 alpha-2, officially assigned codes.
constexpr std::string_view kCountries[] = {
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW"};

// ISO 4217 active currency codes.
constexpr std::string_view kCurrencies[] = {
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD",
    "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUP", "CVE",
    "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL",
    "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR",
    "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD",
    "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK",
    "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO",
    "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON",
    "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD",
    "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD",
    "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED", "VES", "VND", "VUV",
    "WST", "XAF", "XAG", "XAU", "XCD", "XDR", "XOF", "XPD", "XPF", "XPT", "XSU", "XUA", "YER",
    "ZAR", "ZMW", "ZWG", "ZWL", "SLL", "XBA", "XBB", "XBC", "XBD", "XCG"};

template <std::size_t N>
bool contains(const std::string_view (&table)[N], std::string_view s) {
  return std::find(std::begin(table), std::end(table), s) != std::end(table);
}

bool is_ascii_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_ascii_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_lower(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}
bool is_upper(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

bool is_domain_label(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
    return false;
  return std::all_of(label.begin(), label.end(),
                     [](char c) { return is_ascii_alpha(c) || is_ascii_digit(c) || c == '-'; });
}

// Whether valid UTF-8 `s` holds a C0 control, DEL or a C1 control (U+0080..U+009F, encoded as
// 0xC2 0x80..0x9F); newline, carriage return and tab are allowed when `multiline`.
bool has_disallowed_control(std::string_view s, bool multiline) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    const bool allowed = multiline && (u == '\n' || u == '\r' || u == '\t');
    if ((u < 0x20 || u == 0x7F) && !allowed) return true;
    if (u == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F) return true;
  }
  return false;
}

Error invalid(std::string_view field, std::string message) {
  return make_error(errc::invalid, std::string(field), std::move(message));
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto lead = static_cast<unsigned char>(s[i]);
    std::size_t extra = 0;
    // The range of the byte after `lead` (RFC 3629 section 4): it excludes overlong forms,
    // UTF-16 surrogates and code points above U+10FFFF.
    unsigned char second_min = 0x80;
    unsigned char second_max = 0xBF;
    if (lead < 0x80) {
      extra = 0;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      extra = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      extra = 2;
      if (lead == 0xE0) second_min = 0xA0;
      if (lead == 0xED) second_max = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      extra = 3;
      if (lead == 0xF0) second_min = 0x90;
      if (lead == 0xF4) second_max = 0x8F;
    } else {
      return false;
    }
    if (s.size() - i <= extra) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto byte = static_cast<unsigned char>(s[i + k]);
      const unsigned char min = k == 1 ? second_min : 0x80;
      const unsigned char max = k == 1 ? second_max : 0xBF;
      if (byte < min || byte > max) return false;
    }
    i += extra + 1;
  }
  return true;
}

std::size_t utf8_length(std::string_view s) {
  if (!is_valid_utf8(s)) return s.size();
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) >> 6) != 0x2; }));
}

Result<void> check_text(std::string_view field, std::string_view value, std::size_t min,
                        std::size_t max, bool multiline) {
  if (!is_valid_utf8(value)) return invalid(field, "must be valid UTF-8");
  if (has_disallowed_control(value, multiline))
    return invalid(field, "must not contain control characters");
  const bool blank = std::all_of(value.begin(), value.end(), [](char c) {
    return std::isspace(static_cast<unsigned char>(c));
  });
  if (min > 0 && blank) return invalid(field, value.empty() ? "is required" : "must not be blank");
  const std::size_t n = utf8_length(value);
  if (n < min || n > max) {
    return invalid(field,
                   "must be " + std::to_string(min) + " to " + std::to_string(max) + " characters");
  }
  return success();
}

Result<void> check_optional_text(std::string_view field, std::string_view value, std::size_t max,
                                 bool multiline) {
  if (value.empty()) return success();
  return check_text(field, value, 1, max, multiline);
}

bool is_email(std::string_view s) {
  if (s.size() < 3 || s.size() > 254) return false;
  const auto at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return false;
  const auto local = s.substr(0, at);
  const auto domain = s.substr(at + 1);
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
    return false;
  constexpr std::string_view kLocalSpecials = "!#$%&'*+/=?^_`{|}~.-";
  for (char c : local) {
    if (!is_ascii_alpha(c) && !is_ascii_digit(c) &&
        kLocalSpecials.find(c) == std::string_view::npos)
      return false;
  }
  std::size_t labels = 0;
  std::string_view last;
  for (std::size_t start = 0;;) {
    const auto dot = domain.find('.', start);
    const auto label = domain.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!is_domain_label(label)) return false;
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return labels >= 2 && last.size() >= 2 && std::all_of(last.begin(), last.end(), is_ascii_alpha);
}

Result<void> check_email(std::string_view field, std::string_view value) {
  if (value.empty()) return invalid(field, "is required");
  if (!is_email(value)) return invalid(field, "must be a valid email address");
  return success();
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string normalize_email(std::string_view email) {
  const auto first = email.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = email.find_last_not_of(" \t\r\n");
  return ascii_lower(email.substr(first, last - first + 1));
}

bool is_e164(std::string_view s) {
  if (s.size() < 9 || s.size() > 16 || s[0] != '+' || s[1] == '0') return false;
  return std::all_of(s.begin() + 1, s.end(), is_ascii_digit);
}

Result<void> check_phone(std::string_view field, std::string_view value) {
  if (!is_e164(value)) return invalid(field, "must be an E.164 phone number, e.g. +14155550100");
  return success();
}

bool is_country_code(std::string_view s) {
  return s.size() == 2 && contains(kCountries, s);
}

bool is_currency_code(std::string_view s) {
  return s.size() == 3 && contains(kCurrencies, s);
}

bool is_language_tag(std::string_view s) {
  if (s.size() == 2) return is_lower(s);
  return s.size() == 5 && s[2] == '-' && is_lower(s.substr(0, 2)) && is_upper(s.substr(3, 2));
}

}  // namespace clientele
