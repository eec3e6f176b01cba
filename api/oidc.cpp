#include "api/oidc.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <utility>

#include "api/jwt.hpp"

namespace clientele::api {
namespace {

using nlohmann::json;

// ID tokens are one or two kilobytes; anything much larger is refused before any decoding.
constexpr std::size_t kMaxTokenSize = 8192;
// The header is decoded and parsed before the signature is checked, so it alone is kept small:
// the providers' are {"alg":"RS256","kid":"...","typ":"JWT"}.
constexpr std::size_t kMaxHeaderSegment = 1024;
// The longest `sub` accepted (OpenID Connect Core §2: at most 255 ASCII characters).
constexpr std::size_t kMaxSubject = 255;
// A key set holds a handful of keys; a larger file is not one.
constexpr std::streamsize kMaxJwksFile = 1 << 20;
// Weaker RSA keys are refused when loading.
constexpr int kMinRsaBits = 2048;
// An ES256 signature in a JWS is r || s, each 32 bytes big-endian (RFC 7518 §3.4); so is each
// P-256 coordinate in a JWK (RFC 7518 §6.2.1.2).
constexpr std::size_t kP256Size = 32;
// The last second of year 9999: later NumericDates are malformed, and every accepted one fits
// a Timestamp in milliseconds without overflow.
constexpr std::int64_t kMaxNumericDate = 253'402'300'799;
// Google's ID tokens spell their issuer with or without the scheme (OpenID Connect Core §3.1.3.7
// allows "accounts.google.com" for Google alone).
constexpr std::string_view kGoogleIssuer = "https://accounts.google.com";
constexpr std::string_view kGoogleIssuerWithoutScheme = "accounts.google.com";

// OpenSSL objects, freed by their own function.
template <auto Free>
struct Freer {
  template <class T>
  void operator()(T* object) const {
    Free(object);
  }
};
using Pkey = std::unique_ptr<EVP_PKEY, Freer<EVP_PKEY_free>>;
using PkeyContext = std::unique_ptr<EVP_PKEY_CTX, Freer<EVP_PKEY_CTX_free>>;
using DigestContext = std::unique_ptr<EVP_MD_CTX, Freer<EVP_MD_CTX_free>>;
using ParamBuilder = std::unique_ptr<OSSL_PARAM_BLD, Freer<OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Freer<OSSL_PARAM_free>>;
using Bignum = std::unique_ptr<BIGNUM, Freer<BN_free>>;
using EcdsaSignature = std::unique_ptr<ECDSA_SIG, Freer<ECDSA_SIG_free>>;

// The two key types accepted, each bound to the one algorithm it is used with.
enum class KeyType { rsa, ec };

std::string_view algorithm_of(KeyType type) {
  return type == KeyType::rsa ? "RS256" : "ES256";
}

// One verification key of a provider.
struct Key {
  std::string kid;  // its `kid`; empty when the set gives none
  KeyType type{};   // RSA (RS256) or EC P-256 (ES256)
  Pkey pkey;        // the public key; never null
};

// One provider and its keys.
struct Provider {
  OidcProvider config;    // as configured
  std::vector<Key> keys;  // its usable keys, at least one
};

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// The string member `name` of `object`; `fallback` when absent, nullopt when not a string.
std::optional<std::string> string_member(const json& object, const char* name,
                                         std::string fallback = {}) {
  const auto found = object.find(name);
  if (found == object.end()) return fallback;
  if (!found->is_string()) return std::nullopt;
  return found->get<std::string>();
}

// Forgets the errors a failed OpenSSL call queued on this thread, so that they surface nowhere
// else; returns `value`.
template <class T>
T forget_openssl_errors(T value) {
  ERR_clear_error();
  return value;
}

// ---- Loading keys ----

Error misconfigured(std::string_view provider, std::string_view reason) {
  return make_error(errc::invalid, "",
                    "oidc: provider \"" + std::string(provider) + "\": " + std::string(reason));
}

Error bad_key(std::string_view provider, std::string_view label, std::string_view reason) {
  return misconfigured(provider, "key " + std::string(label) + ": " + std::string(reason));
}

// The public key `params` describe, of OpenSSL type `type` ("RSA" or "EC"), if OpenSSL finds it
// sound (EVP_PKEY_public_check: RSA modulus and exponent, EC point on the curve); else null.
Pkey public_key_from(const char* type, OSSL_PARAM* params) {
  const PkeyContext context(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!context || EVP_PKEY_fromdata_init(context.get()) != 1 ||
      EVP_PKEY_fromdata(context.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    return forget_openssl_errors(Pkey());
  }
  Pkey key(raw);
  const PkeyContext check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return forget_openssl_errors(Pkey());
  return key;
}

// The big-endian unsigned number `bytes` spell, or null.
Bignum bignum_of(std::string_view bytes) {
  return Bignum(BN_bin2bn(bytes_of(bytes), static_cast<int>(bytes.size()), nullptr));
}

// The RSA public key with modulus `n` and exponent `e` (big-endian bytes), or null.
Pkey rsa_key(std::string_view n, std::string_view e) {
  const Bignum modulus = bignum_of(n);
  const Bignum exponent = bignum_of(e);
  const ParamBuilder builder(OSSL_PARAM_BLD_new());
  if (!modulus || !exponent || !builder ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()) != 1) {
    return forget_openssl_errors(Pkey());
  }
  const Params params(OSSL_PARAM_BLD_to_param(builder.get()));
  if (!params) return forget_openssl_errors(Pkey());
  return public_key_from("RSA", params.get());
}

// The P-256 public key at (`x`, `y`) (32 big-endian bytes each), or null.
Pkey p256_key(std::string_view x, std::string_view y) {
  // SEC 1 §2.3.3: an uncompressed point is 0x04 || x || y.
  const std::string point = "\x04" + std::string(x) + std::string(y);
  const ParamBuilder builder(OSSL_PARAM_BLD_new());
  if (!builder ||
      OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                      SN_X9_62_prime256v1, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return forget_openssl_errors(Pkey());
  }
  const Params params(OSSL_PARAM_BLD_to_param(builder.get()));
  if (!params) return forget_openssl_errors(Pkey());
  return public_key_from("EC", params.get());
}

// The bytes of the base64url member `name` of the JWK `entry`, or nullopt when it is absent,
// not a string or not base64url.
std::optional<std::string> key_number(const json& entry, const char* name) {
  const auto found = entry.find(name);
  if (found == entry.end() || !found->is_string()) return std::nullopt;
  return base64url_decode(found->get_ref<const std::string&>());
}

Result<Pkey> read_rsa_key(const json& entry, std::string_view provider, std::string_view label) {
  const auto n = key_number(entry, "n");
  const auto e = key_number(entry, "e");
  if (!n || !e) return bad_key(provider, label, "n and e must be base64url");
  auto key = rsa_key(*n, *e);
  if (!key) return bad_key(provider, label, "not a valid RSA public key");
  if (EVP_PKEY_get_bits(key.get()) < kMinRsaBits)
    return bad_key(provider, label, "RSA modulus shorter than 2048 bits");
  return key;
}

Result<Pkey> read_p256_key(const json& entry, std::string_view provider, std::string_view label) {
  const auto x = key_number(entry, "x");
  const auto y = key_number(entry, "y");
  if (!x || !y || x->size() != kP256Size || y->size() != kP256Size)
    return bad_key(provider, label, "x and y must be base64url of 32 bytes");
  auto key = p256_key(*x, *y);
  if (!key) return bad_key(provider, label, "not a point of P-256");
  return key;
}

// The type of the key `entry` describes if it is for RS256 or ES256 signatures; nullopt for the
// keys skipped (other uses, algorithms, types or curves). Members that must be strings and are not
// make it an error.
Result<std::optional<KeyType>> usable_type(const json& entry, std::string_view provider,
                                           std::string_view label) {
  const auto kty = string_member(entry, "kty");
  const auto use = string_member(entry, "use", "sig");
  const auto alg = string_member(entry, "alg");
  const auto crv = string_member(entry, "crv");
  if (!kty || kty->empty()) return bad_key(provider, label, "kty must be a non-empty string");
  if (!use || !alg || !crv) return bad_key(provider, label, "use, alg and crv must be strings");
  std::optional<KeyType> type;
  if (*kty == "RSA") type = KeyType::rsa;
  if (*kty == "EC" && *crv == "P-256") type = KeyType::ec;
  if (!type || *use != "sig" || (!alg->empty() && *alg != algorithm_of(*type)))
    return std::optional<KeyType>();
  return type;
}

// The key `entry` (the `index`th of the set) describes, nullopt when it is skipped.
Result<std::optional<Key>> read_key(const json& entry, std::size_t index,
                                    std::string_view provider) {
  if (!entry.is_object()) return bad_key(provider, "#" + std::to_string(index), "not an object");
  const auto kid = string_member(entry, "kid");
  const auto label = kid && !kid->empty() ? "\"" + *kid + "\"" : "#" + std::to_string(index);
  if (!kid) return bad_key(provider, label, "kid must be a string");
  const auto type = usable_type(entry, provider, label);
  if (!type) return type.error();
  if (!*type) return std::optional<Key>();
  auto pkey = **type == KeyType::rsa ? read_rsa_key(entry, provider, label)
                                     : read_p256_key(entry, provider, label);
  if (!pkey) return pkey.error();
  return std::optional<Key>(Key{*kid, **type, std::move(pkey.value())});
}

// The JSON document in the file at `path`, or nullopt when it cannot be read, is too large or is
// not JSON.
std::optional<json> read_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text;
  text.resize(static_cast<std::size_t>(kMaxJwksFile) + 1);
  in.read(text.data(), kMaxJwksFile + 1);
  if (in.bad() || in.gcount() > kMaxJwksFile) return std::nullopt;
  text.resize(static_cast<std::size_t>(in.gcount()));
  auto parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return std::nullopt;
  return parsed;
}

// The usable keys of `config`'s key set.
Result<std::vector<Key>> read_key_set(const OidcProvider& config) {
  const auto set = read_json_file(config.jwks_path);
  if (!set) return misconfigured(config.name, "JWKS file unreadable or not JSON");
  const auto keys = set->find("keys");
  if (!set->is_object() || keys == set->end() || !keys->is_array())
    return misconfigured(config.name, "JWKS file has no \"keys\" array");
  std::vector<Key> out;
  for (std::size_t index = 0; index < keys->size(); ++index) {
    auto key = read_key((*keys)[index], index, config.name);
    if (!key) return key.error();
    if (!*key) continue;
    const auto& kid = (*key)->kid;
    if (!kid.empty() &&
        std::any_of(out.begin(), out.end(), [&](const Key& other) { return other.kid == kid; }))
      return bad_key(config.name, "\"" + kid + "\"", "kid used twice");
    out.push_back(std::move(**key));
  }
  if (out.empty()) return misconfigured(config.name, "JWKS file has no RS256 or ES256 signing key");
  return out;
}

Result<Provider> load_provider(OidcProvider config) {
  if (config.issuer.empty()) return misconfigured(config.name, "no issuer");
  if (config.audiences.empty() ||
      std::any_of(config.audiences.begin(), config.audiences.end(),
                  [](const std::string& audience) { return audience.empty(); }))
    return misconfigured(config.name, "no audience, or an empty one");
  auto keys = read_key_set(config);
  if (!keys) return keys.error();
  return Provider{std::move(config), std::move(keys.value())};
}

// ---- Verifying tokens ----

Error rejected(std::string_view reason) {
  return make_error(errc::invalid, "idToken", "oidc: " + std::string(reason));
}

// The three segments of a compact JWS, and what its signature covers.
struct CompactJws {
  std::string_view header;
  std::string_view payload;
  std::string_view signature;
  std::string_view signing_input;  // header.payload
};

std::optional<CompactJws> split(std::string_view token) {
  if (token.size() > kMaxTokenSize) return std::nullopt;
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    return std::nullopt;
  return CompactJws{token.substr(0, first), token.substr(first + 1, second - first - 1),
                    token.substr(second + 1), token.substr(0, second)};
}

// The key of `provider` that must have signed a token with `header`. The header names the
// algorithm and at most the `kid`; the key's type, never the header, decides how it verifies, and
// the two must agree. Headers that point elsewhere (`jku`, `jwk`, `x5u`, `x5c`) are ignored.
Result<const Key*> choose_key(const Provider& provider, std::string_view segment) {
  if (segment.size() > kMaxHeaderSegment) return rejected("header too long");
  const auto header = decode_json_segment(segment);
  if (!header) return rejected("malformed header");
  const auto alg = string_member(*header, "alg");
  if (!alg || (*alg != "RS256" && *alg != "ES256")) return rejected("algorithm not allowed");
  const auto type = *alg == "RS256" ? KeyType::rsa : KeyType::ec;
  // RFC 7515 §4.1.11: extensions a verifier does not understand must make it refuse the token.
  if (header->contains("crit")) return rejected("critical header extension");
  const auto& keys = provider.keys;
  if (header->contains("kid")) {
    const auto kid = string_member(*header, "kid");
    const auto found = std::find_if(keys.begin(), keys.end(), [&](const Key& key) {
      return kid && !kid->empty() && key.kid == *kid;
    });
    if (found == keys.end()) return rejected("unknown key");
    if (found->type != type) return rejected("algorithm does not match key");
    return &*found;
  }
  const auto of_type = [&](const Key& key) { return key.type == type; };
  if (std::count_if(keys.begin(), keys.end(), of_type) != 1) return rejected("unknown key");
  return &*std::find_if(keys.begin(), keys.end(), of_type);
}

// The DER ECDSA-Sig-Value (RFC 3279 §2.2.3) OpenSSL verifies, of the raw r || s of a JWS, or
// nullopt when `raw` is not 64 bytes.
std::optional<std::string> der_of_es256(std::string_view raw) {
  if (raw.size() != 2 * kP256Size) return std::nullopt;
  Bignum r = bignum_of(raw.substr(0, kP256Size));
  Bignum s = bignum_of(raw.substr(kP256Size));
  const EcdsaSignature signature(ECDSA_SIG_new());
  if (!r || !s || !signature || ECDSA_SIG_set0(signature.get(), r.get(), s.get()) != 1)
    return forget_openssl_errors(std::optional<std::string>());
  r.release();  // now owned by `signature`
  s.release();
  const int size = i2d_ECDSA_SIG(signature.get(), nullptr);
  if (size <= 0) return forget_openssl_errors(std::optional<std::string>());
  std::string der(static_cast<std::size_t>(size), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(signature.get(), &out) != size)
    return forget_openssl_errors(std::optional<std::string>());
  return der;
}

// Whether `signature` (in OpenSSL's form: PKCS #1 v1.5 or DER ECDSA) is `key`'s over the SHA-256
// of `input`.
bool signed_by(const Key& key, std::string_view input, std::string_view signature) {
  const DigestContext context(EVP_MD_CTX_new());
  const bool good = context &&
                    EVP_DigestVerifyInit_ex(context.get(), nullptr, "SHA256", nullptr, nullptr,
                                            key.pkey.get(), nullptr) == 1 &&
                    EVP_DigestVerify(context.get(), bytes_of(signature), signature.size(),
                                     bytes_of(input), input.size()) == 1;
  if (!good) ERR_clear_error();
  return good;
}

Result<void> check_signature(const Key& key, const CompactJws& jws) {
  auto signature = base64url_decode(jws.signature);
  if (!signature) return rejected("malformed signature");
  if (key.type == KeyType::ec) {
    signature = der_of_es256(*signature);
    if (!signature) return rejected("malformed signature");
  } else if (signature->size() != static_cast<std::size_t>(EVP_PKEY_get_size(key.pkey.get()))) {
    return rejected("malformed signature");
  }
  if (!signed_by(key, jws.signing_input, *signature)) return rejected("bad signature");
  return success();
}

// The NumericDate claim `name` (seconds since the epoch, possibly fractional, rounded down);
// nullopt when absent, an error when malformed.
Result<std::optional<Timestamp>> numeric_date(const json& claims, const char* name) {
  const auto found = claims.find(name);
  if (found == claims.end()) return std::optional<Timestamp>();
  const double seconds = found->is_number() ? found->get<double>() : -1;
  if (!(seconds >= 0 && seconds <= static_cast<double>(kMaxNumericDate)))
    return rejected(std::string("malformed ") + name);
  const auto whole = static_cast<std::int64_t>(seconds);
  return std::optional<Timestamp>(Timestamp(std::chrono::seconds(whole)));
}

// `exp` required and not past, `iat` required and `nbf` optional, neither in the future; each
// within the leeway.
Result<void> check_times(const json& claims, Timestamp now) {
  const auto leeway = OidcVerifier::kLeeway;
  const auto expires = numeric_date(claims, "exp");
  const auto issued = numeric_date(claims, "iat");
  const auto not_before = numeric_date(claims, "nbf");
  for (const auto* date : {&expires, &issued, &not_before})
    if (!*date) return date->error();
  if (!*expires) return rejected("missing exp");
  if (!*issued) return rejected("missing iat");
  if (now >= **expires + leeway) return rejected("expired");
  if (**issued > now + leeway) return rejected("issued in the future");
  if (*not_before && **not_before > now + leeway) return rejected("not yet valid");
  return success();
}

bool issuer_matches(const json& claims, std::string_view issuer) {
  const auto iss = string_member(claims, "iss");
  if (!iss || iss->empty()) return false;
  return *iss == issuer || (issuer == kGoogleIssuer && *iss == kGoogleIssuerWithoutScheme);
}

bool is_ours(const std::vector<std::string>& audiences, const json& value) {
  return value.is_string() && std::find(audiences.begin(), audiences.end(),
                                        value.get_ref<const std::string&>()) != audiences.end();
}

// `aud` (a string or an array of strings, RFC 7519 §4.1.3) holds one of ours; `azp`, when
// present, is one of ours.
Result<void> check_audience(const json& claims, const std::vector<std::string>& audiences) {
  const auto aud = claims.find("aud");
  if (aud == claims.end()) return rejected("wrong audience");
  const bool array_of_strings =
      aud->is_array() &&
      std::all_of(aud->begin(), aud->end(), [](const json& each) { return each.is_string(); });
  const bool ours =
      is_ours(audiences, *aud) ||
      (array_of_strings && std::any_of(aud->begin(), aud->end(),
                                       [&](const json& each) { return is_ours(audiences, each); }));
  if (!ours) return rejected("wrong audience");
  const auto azp = claims.find("azp");
  if (azp != claims.end() && !is_ours(audiences, *azp)) return rejected("wrong authorized party");
  return success();
}

// `nonce` present and equal to `expected`, compared in constant time (its length aside).
Result<void> check_nonce(const json& claims, std::string_view expected) {
  const auto nonce = string_member(claims, "nonce");
  if (!nonce || nonce->empty() || expected.empty()) return rejected("missing nonce");
  if (nonce->size() != expected.size() ||
      CRYPTO_memcmp(nonce->data(), expected.data(), expected.size()) != 0)
    return rejected("wrong nonce");
  return success();
}

// The string claim `name` when present, a string and not empty.
std::optional<std::string> text_claim(const json& claims, const char* name) {
  auto value = string_member(claims, name);
  if (!value || value->empty()) return std::nullopt;
  return value;
}

// The identity in the claims of a token whose signature is known good.
Result<IdentityClaims> read_claims(const Provider& provider, const json& claims,
                                   std::string_view expected_nonce, Timestamp now) {
  if (auto times = check_times(claims, now); !times) return times.error();
  if (!issuer_matches(claims, provider.config.issuer)) return rejected("wrong issuer");
  if (auto audience = check_audience(claims, provider.config.audiences); !audience)
    return audience.error();
  if (auto nonce = check_nonce(claims, expected_nonce); !nonce) return nonce.error();
  IdentityClaims out;
  out.provider = provider.config.name;
  auto subject = text_claim(claims, "sub");
  if (!subject || subject->size() > kMaxSubject) return rejected("missing or malformed sub");
  out.subject = std::move(*subject);
  out.email = text_claim(claims, "email");
  // Apple writes the boolean as a string.
  const auto verified = claims.find("email_verified");
  out.email_verified = out.email && verified != claims.end() &&
                       (*verified == json(true) || *verified == json("true"));
  out.given_name = text_claim(claims, "given_name");
  out.family_name = text_claim(claims, "family_name");
  return out;
}

}  // namespace

struct OidcVerifier::Keys {
  std::vector<Provider> providers;  // in the order configured; names distinct

  const Provider* find(std::string_view name) const {
    const auto found = std::find_if(providers.begin(), providers.end(),
                                    [&](const Provider& each) { return each.config.name == name; });
    return found == providers.end() ? nullptr : &*found;
  }
};

Result<OidcVerifier> OidcVerifier::load(std::vector<OidcProvider> providers) {
  auto keys = std::make_unique<Keys>();
  for (auto& config : providers) {
    if (config.name.empty()) return make_error(errc::invalid, "", "oidc: a provider has no name");
    if (keys->find(config.name)) return misconfigured(config.name, "configured twice");
    auto provider = load_provider(std::move(config));
    if (!provider) return provider.error();
    keys->providers.push_back(std::move(provider.value()));
  }
  return OidcVerifier(std::move(keys));
}

OidcVerifier::OidcVerifier(std::unique_ptr<const Keys> keys) : keys_(std::move(keys)) {}
OidcVerifier::~OidcVerifier() = default;
OidcVerifier::OidcVerifier(OidcVerifier&&) noexcept = default;
OidcVerifier& OidcVerifier::operator=(OidcVerifier&&) noexcept = default;

bool OidcVerifier::knows(std::string_view provider) const {
  return keys_->find(provider) != nullptr;
}

Result<IdentityClaims> OidcVerifier::verify(std::string_view provider_name,
                                            std::string_view id_token,
                                            std::string_view expected_nonce, Timestamp now) const {
  const Provider* provider = keys_->find(provider_name);
  if (!provider) return make_error(errc::not_found, "provider", "oidc: unknown provider");
  const auto jws = split(id_token);
  if (!jws) return rejected("not a compact JWS");
  const auto key = choose_key(*provider, jws->header);
  if (!key) return key.error();
  if (auto signature = check_signature(*key.value(), *jws); !signature) return signature.error();
  const auto claims = decode_json_segment(jws->payload);
  if (!claims) return rejected("malformed payload");
  return read_claims(*provider, *claims, expected_nonce, now);
}

std::string expected_nonce(std::string_view provider, std::string_view issued) {
  if (provider != "apple") return std::string(issued);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  // A failure leaves no nonce to expect, which verify() refuses.
  if (EVP_Digest(issued.data(), issued.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1)
    return forget_openssl_errors(std::string());
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0x0f]);
  }
  return hex;
}

}  // namespace clientele::api
