#include "api/jwt.hpp"

#include <sodium.h>

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <utility>

namespace clientele::api {
namespace {

using nlohmann::json;

static_assert(crypto_auth_hmacsha256_KEYBYTES == events::SecretKey::kSize);
using Mac = std::array<unsigned char, crypto_auth_hmacsha256_BYTES>;

// Our tokens are a few hundred bytes; anything much larger is not ours and is refused before
// any decoding.
constexpr std::size_t kMaxTokenSize = 4096;
// The header is decoded and parsed before the signature is checked, so it alone is kept small:
// ours is {"alg":"HS256","typ":"JWT"}.
constexpr std::size_t kMaxHeaderSegment = 256;
// Longest `sub` and `jti` accepted: ids, not documents.
constexpr std::size_t kMaxIdSize = 128;
// The last second of year 9999: later NumericDates are malformed, and every accepted one fits
// a Timestamp in milliseconds without overflow.
constexpr std::int64_t kMaxNumericDate = 253'402'300'799;

void ensure_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium could not be initialized");
}

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

Mac sign(const events::SecretKey& secret, std::string_view signing_input) {
  Mac mac{};
  crypto_auth_hmacsha256(mac.data(), bytes_of(signing_input), signing_input.size(),
                         secret.bytes().data());
  return mac;
}

Error rejected(std::string_view reason) {
  return make_error(errc::forbidden, "", "jwt: " + std::string(reason));
}

// The header must name HS256; it is never used to choose anything.
Result<void> check_header(std::string_view segment) {
  if (segment.size() > kMaxHeaderSegment) return rejected("header too long");
  const auto header = decode_json_segment(segment);
  if (!header) return rejected("malformed header");
  const auto alg = header->find("alg");
  if (alg == header->end() || !alg->is_string() || alg->get_ref<const std::string&>() != "HS256")
    return rejected("algorithm not allowed");
  const auto typ = header->find("typ");
  if (typ != header->end() && (!typ->is_string() || typ->get_ref<const std::string&>() != "JWT"))
    return rejected("type not allowed");
  // RFC 7515 §4.1.11: extensions a verifier does not understand must make it refuse the token.
  if (header->contains("crit")) return rejected("critical header extension");
  return success();
}

// The NumericDate claim `name` (seconds since the epoch, possibly fractional) as a Timestamp;
// nullopt when absent, an error when malformed.
Result<std::optional<Timestamp>> numeric_date(const json& claims, const char* name) {
  const auto found = claims.find(name);
  if (found == claims.end()) return std::optional<Timestamp>();
  if (!found->is_number()) return rejected(std::string("malformed ") + name);
  const double seconds = found->get<double>();
  if (!(seconds >= 0 && seconds <= static_cast<double>(kMaxNumericDate)))
    return rejected(std::string("malformed ") + name);
  const auto whole =
      found->is_number_float() ? static_cast<std::int64_t>(seconds) : found->get<std::int64_t>();
  return std::optional<Timestamp>(Timestamp(std::chrono::seconds(whole)));
}

// `exp` required and not past, `nbf` (optional) and `iat` (required) not in the future, each
// with the leeway.
Result<void> check_times(const json& claims, Timestamp now, AccessClaims& out) {
  const auto expires = numeric_date(claims, "exp");
  if (!expires) return expires.error();
  if (!*expires) return rejected("missing exp");
  if (now >= **expires + JwtCodec::kLeeway) return rejected("expired");
  const auto not_before = numeric_date(claims, "nbf");
  if (!not_before) return not_before.error();
  if (*not_before && **not_before > now + JwtCodec::kLeeway) return rejected("not yet valid");
  const auto issued = numeric_date(claims, "iat");
  if (!issued) return issued.error();
  if (!*issued) return rejected("missing iat");
  if (**issued > now + JwtCodec::kLeeway) return rejected("issued in the future");
  out.issued_at = **issued;
  out.expires_at = **expires;
  return success();
}

// `aud` is one string or an array of strings (RFC 7519 §4.1.3); ours must be among them.
bool audience_matches(const json& claims, std::string_view audience) {
  const auto aud = claims.find("aud");
  if (aud == claims.end()) return false;
  if (aud->is_string()) return aud->get_ref<const std::string&>() == audience;
  if (!aud->is_array()) return false;
  bool found = false;
  for (const auto& each : *aud) {
    if (!each.is_string()) return false;
    found = found || each.get_ref<const std::string&>() == audience;
  }
  return found;
}

// The string claim `name` if present, non-empty and at most kMaxIdSize bytes.
std::optional<std::string> id_claim(const json& claims, const char* name) {
  const auto found = claims.find(name);
  if (found == claims.end() || !found->is_string()) return std::nullopt;
  const auto& value = found->get_ref<const std::string&>();
  if (value.empty() || value.size() > kMaxIdSize) return std::nullopt;
  return value;
}

// Customer or Administrator; System acts inside the service and never holds a token.
std::optional<Role> role_claim(const json& claims) {
  const auto found = claims.find("role");
  if (found == claims.end() || !found->is_string()) return std::nullopt;
  const auto role = enum_from_string<Role>(found->get_ref<const std::string&>());
  if (!role || *role == Role::System) return std::nullopt;
  return role;
}

// The payload's claims once the signature is known good.
Result<AccessClaims> read_claims(const json& claims, std::string_view issuer,
                                 std::string_view audience, Timestamp now) {
  AccessClaims out;
  if (auto times = check_times(claims, now, out); !times) return times.error();
  const auto iss = claims.find("iss");
  if (iss == claims.end() || !iss->is_string() || iss->get_ref<const std::string&>() != issuer)
    return rejected("wrong issuer");
  if (!audience_matches(claims, audience)) return rejected("wrong audience");
  auto subject = id_claim(claims, "sub");
  if (!subject) return rejected("missing or malformed sub");
  auto token_id = id_claim(claims, "jti");
  if (!token_id) return rejected("missing or malformed jti");
  const auto role = role_claim(claims);
  if (!role) return rejected("unknown role");
  out.subject = std::move(*subject);
  out.token_id = std::move(*token_id);
  out.role = *role;
  return out;
}

std::string fresh_token_id() {
  ensure_sodium();
  std::array<unsigned char, 16> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  return base64url_encode({reinterpret_cast<const char*>(bytes.data()), bytes.size()});
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes_of(bytes), bytes.size(), kVariant);
  out.pop_back();  // the terminating NUL sodium writes
  return out;
}

// libsodium also refuses non-zero leftover bits, so each byte string has one spelling.
std::optional<std::string> base64url_decode(std::string_view text) {
  std::string out(text.size() * 3 / 4 + 1, '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &length, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

std::optional<json> decode_json_segment(std::string_view segment) {
  const auto text = base64url_decode(segment);
  if (!text) return std::nullopt;
  auto parsed = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return std::nullopt;
  return parsed;
}

JwtCodec::JwtCodec(events::SecretKey secret, std::string issuer, std::string audience,
                   std::chrono::seconds lifetime)
    : secret_(std::move(secret)),
      issuer_(std::move(issuer)),
      audience_(std::move(audience)),
      lifetime_(lifetime) {
  ensure_sodium();
}

std::string JwtCodec::issue(std::string_view subject, Role role, Timestamp now) const {
  static const std::string header = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  const auto issued = std::chrono::floor<std::chrono::seconds>(now).time_since_epoch();
  const json claims = {{"iss", issuer_},         {"aud", audience_},
                       {"sub", subject},         {"role", to_string(role)},
                       {"iat", issued.count()},  {"exp", (issued + lifetime_).count()},
                       {"jti", fresh_token_id()}};
  std::string token = header + "." + base64url_encode(claims.dump());
  const auto mac = sign(secret_, token);
  token += ".";
  token += base64url_encode({reinterpret_cast<const char*>(mac.data()), mac.size()});
  return token;
}

Result<AccessClaims> JwtCodec::verify(std::string_view token, Timestamp now) const {
  if (token.size() > kMaxTokenSize) return rejected("too long");
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    return rejected("not three segments");
  if (auto header = check_header(token.substr(0, first)); !header) return header.error();

  const auto signature = base64url_decode(token.substr(second + 1));
  if (!signature || signature->size() != crypto_auth_hmacsha256_BYTES)
    return rejected("malformed signature");
  const auto signing_input = token.substr(0, second);
  // Constant time: libsodium compares the MAC with crypto_verify_32.
  if (crypto_auth_hmacsha256_verify(bytes_of(*signature), bytes_of(signing_input),
                                    signing_input.size(), secret_.bytes().data()) != 0) {
    return rejected("bad signature");
  }

  const auto claims = decode_json_segment(token.substr(first + 1, second - first - 1));
  if (!claims) return rejected("malformed payload");
  return read_claims(*claims, issuer_, audience_, now);
}

}  // namespace clientele::api
