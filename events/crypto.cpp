#include "events/crypto.hpp"

#include <pthread.h>
#include <sodium.h>

#include <array>
#include <atomic>
#include <cstring>
#include <span>
#include <stdexcept>

#include "domain/validation.hpp"

namespace clientele::events {
namespace {

// libsodium must be initialized once before use; sodium_init is idempotent and thread-safe.
void ensure_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium could not be initialized");
}

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Counts forks; a child process discards the random bytes it inherited.
std::atomic<std::uint64_t> fork_generation{0};

// Random bytes for nonces, drawn from the operating system's generator a page at a time: one
// getrandom call per 170 nonces instead of one per seal (a third of sealing's syscall-bound
// cost). Every nonce is still fresh random bytes, used once; each thread has its own pool, and
// after a fork the child refills before drawing, so parent and child never share a nonce.
class NoncePool {
 public:
  void draw(std::span<unsigned char> out) {
    const auto generation = fork_generation.load(std::memory_order_relaxed);
    if (used_ + out.size() > bytes_.size() || generation != generation_) refill(generation);
    std::memcpy(out.data(), bytes_.data() + used_, out.size());
    used_ += out.size();
  }

 private:
  void refill(std::uint64_t generation) {
    randombytes_buf(bytes_.data(), bytes_.size());
    used_ = 0;
    generation_ = generation;
  }

  std::array<unsigned char, 170 * crypto_aead_xchacha20poly1305_ietf_NPUBBYTES> bytes_{};
  std::size_t used_ = bytes_.size();  // bytes already drawn
  std::uint64_t generation_ = 0;      // the fork generation the bytes were drawn in
};

void random_nonce(std::span<unsigned char> out) {
  static const bool fork_safe =
      pthread_atfork(nullptr, nullptr, [] { fork_generation.fetch_add(1); }) == 0;
  if (!fork_safe) {
    randombytes_buf(out.data(), out.size());
    return;
  }
  thread_local NoncePool pool;
  pool.draw(out);
}

}  // namespace

SecretKey SecretKey::random() {
  ensure_sodium();
  SecretKey key;
  randombytes_buf(key.bytes_.data(), key.bytes_.size());
  return key;
}

Result<SecretKey> SecretKey::parse(std::string_view text) {
  ensure_sodium();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.remove_suffix(1);
  SecretKey key;
  std::size_t length = 0;
  const char* end = nullptr;
  if (text.size() == 2 * kSize &&
      sodium_hex2bin(key.bytes_.data(), kSize, text.data(), text.size(), nullptr, &length, &end) ==
          0 &&
      length == kSize && end == text.data() + text.size()) {
    return key;
  }
  if (sodium_base642bin(key.bytes_.data(), kSize, text.data(), text.size(), nullptr, &length, &end,
                        sodium_base64_VARIANT_ORIGINAL) == 0 &&
      length == kSize && end == text.data() + text.size()) {
    return key;
  }
  return make_error(errc::invalid, "", "a key must be 32 bytes as 64 hex digits or base64");
}

SecretKey::SecretKey(std::span<const unsigned char, kSize> bytes) {
  std::copy(bytes.begin(), bytes.end(), bytes_.begin());
}

SecretKey::~SecretKey() {
  sodium_memzero(bytes_.data(), bytes_.size());
}

SecretKey::SecretKey(SecretKey&& other) noexcept : bytes_(other.bytes_) {
  sodium_memzero(other.bytes_.data(), other.bytes_.size());
}

SecretKey& SecretKey::operator=(SecretKey&& other) noexcept {
  if (this != &other) {
    bytes_ = other.bytes_;
    sodium_memzero(other.bytes_.data(), other.bytes_.size());
  }
  return *this;
}

std::string SecretKey::hex() const {
  std::string out(2 * kSize + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes_.data(), bytes_.size());
  out.pop_back();
  return out;
}

Ciphertext aead_seal(const SecretKey& key, std::string_view plaintext,
                     std::string_view associated_data) {
  ensure_sodium();
  Ciphertext out;
  out.nonce.resize(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  random_nonce({reinterpret_cast<unsigned char*>(out.nonce.data()), out.nonce.size()});
  out.bytes.resize(plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long length = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(reinterpret_cast<unsigned char*>(out.bytes.data()),
                                             &length, bytes_of(plaintext), plaintext.size(),
                                             bytes_of(associated_data), associated_data.size(),
                                             nullptr, bytes_of(out.nonce), key.bytes().data());
  out.bytes.resize(length);
  return out;
}

std::optional<std::string> aead_open(const SecretKey& key, const Ciphertext& sealed,
                                     std::string_view associated_data) {
  ensure_sodium();
  if (sealed.nonce.size() != crypto_aead_xchacha20poly1305_ietf_NPUBBYTES ||
      sealed.bytes.size() < crypto_aead_xchacha20poly1305_ietf_ABYTES) {
    return std::nullopt;
  }
  std::string plaintext(sealed.bytes.size() - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long length = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plaintext.data()), &length, nullptr,
          bytes_of(sealed.bytes), sealed.bytes.size(), bytes_of(associated_data),
          associated_data.size(), bytes_of(sealed.nonce), key.bytes().data()) != 0) {
    return std::nullopt;
  }
  plaintext.resize(length);
  return plaintext;
}

namespace {

// HMAC-SHA256(key, text) into `mac`.
void hmac(const SecretKey& key, std::string_view text,
          std::span<unsigned char, crypto_auth_hmacsha256_BYTES> mac) {
  ensure_sodium();
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, key.bytes().data(), key.bytes().size());
  crypto_auth_hmacsha256_update(&state, bytes_of(text), text.size());
  crypto_auth_hmacsha256_final(&state, mac.data());
}

}  // namespace

SecretKey derive_key(const SecretKey& key, std::string_view purpose) {
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  hmac(key, purpose, mac);
  SecretKey derived(std::span<const unsigned char, SecretKey::kSize>(mac.data(), SecretKey::kSize));
  sodium_memzero(mac.data(), mac.size());
  return derived;
}

std::uint64_t short_keyed_hash(const SecretKey& key, std::string_view text) {
  static_assert(crypto_shorthash_KEYBYTES <= SecretKey::kSize);
  ensure_sodium();
  unsigned char hash[crypto_shorthash_BYTES];
  crypto_shorthash(hash, bytes_of(text), text.size(), key.bytes().data());
  std::uint64_t out = 0;
  for (const unsigned char byte : hash) out = out << 8 | byte;
  return out;
}

static_assert(sizeof(crypto_hash_sha256_state) <= 104 && alignof(crypto_hash_sha256_state) <= 16);

Sha256::Sha256() {
  ensure_sodium();
  crypto_hash_sha256_init(reinterpret_cast<crypto_hash_sha256_state*>(state_.data()));
}

Sha256::~Sha256() {
  sodium_memzero(state_.data(), state_.size());
}

void Sha256::add(std::string_view bytes) {
  auto* state = reinterpret_cast<crypto_hash_sha256_state*>(state_.data());
  std::array<unsigned char, 8> length{};
  auto n = static_cast<std::uint64_t>(bytes.size());
  for (auto it = length.rbegin(); it != length.rend(); ++it, n >>= 8)
    *it = static_cast<unsigned char>(n);
  crypto_hash_sha256_update(state, length.data(), length.size());
  crypto_hash_sha256_update(state, bytes_of(bytes), bytes.size());
}

std::string Sha256::hex() {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256_final(reinterpret_cast<crypto_hash_sha256_state*>(state_.data()),
                           digest.data());
  std::string out(2 * digest.size() + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), digest.data(), digest.size());
  out.pop_back();
  return out;
}

std::string keyed_hash_hex(const SecretKey& key, std::string_view text) {
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  hmac(key, text, mac);
  std::string out(2 * mac.size() + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), mac.data(), mac.size());
  out.pop_back();
  return out;
}

std::string blind_index(const SecretKey& pepper, std::string_view email) {
  return keyed_hash_hex(pepper, normalize_email(email));
}

std::string username_index(const SecretKey& pepper, std::string_view username) {
  return keyed_hash_hex(pepper, "username:" + ascii_lower(username));
}

void append_base64(std::string& out, std::string_view bytes) {
  ensure_sodium();
  const auto start = out.size();
  const auto length = sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(start + length);
  sodium_bin2base64(out.data() + start, length, bytes_of(bytes), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();  // the terminating NUL
}

std::string to_base64(std::string_view bytes) {
  std::string out;
  append_base64(out, bytes);
  return out;
}

std::optional<std::string> from_base64(std::string_view text) {
  ensure_sodium();
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &length, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

}  // namespace clientele::events
