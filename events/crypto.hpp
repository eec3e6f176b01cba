#pragma once
// The cryptography of personal data (DESIGN.md §3), on libsodium:
//   - SecretKey: 32 secret bytes, wiped from memory when destroyed;
//   - AEAD: XChaCha20-Poly1305-IETF with a fresh random 24-byte nonce per seal;
//   - keyed hashes: HMAC-SHA256, for the email blind index and for pseudonyms.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "domain/result.hpp"

namespace clientele::events {

// 32 secret bytes. Not copyable; wiped (sodium_memzero) on destruction.
class SecretKey {
 public:
  static constexpr std::size_t kSize = 32;

  // A fresh key from libsodium's CSPRNG.
  static SecretKey random();
  // The key spelled as 64 hex digits or as standard base64 of 32 bytes; errc::invalid otherwise.
  static Result<SecretKey> parse(std::string_view text);

  explicit SecretKey(std::span<const unsigned char, kSize> bytes);
  ~SecretKey();
  SecretKey(SecretKey&& other) noexcept;
  SecretKey& operator=(SecretKey&& other) noexcept;
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;

  std::span<const unsigned char, kSize> bytes() const { return bytes_; }
  // 64 lower-case hex digits (for writing a key file).
  std::string hex() const;

 private:
  SecretKey() = default;
  std::array<unsigned char, kSize> bytes_{};  // the key material
};

// An AEAD ciphertext and the nonce it was sealed with (both raw bytes).
struct Ciphertext {
  std::string nonce;  // 24 bytes
  std::string bytes;  // plaintext length + 16-byte tag
};

// Seals `plaintext` under `key`, binding it to `associated_data`. Thread-safe.
Ciphertext aead_seal(const SecretKey& key, std::string_view plaintext,
                     std::string_view associated_data);
// The plaintext, or nullopt when the ciphertext, nonce or associated data was altered or the key
// is not the one it was sealed with.
std::optional<std::string> aead_open(const SecretKey& key, const Ciphertext& sealed,
                                     std::string_view associated_data);

// A key for one purpose, derived from `key`: HMAC-SHA256(key, purpose).
SecretKey derive_key(const SecretKey& key, std::string_view purpose);

// SipHash-2-4 of `text` under the first 16 bytes of `key`: a fast keyed hash for index keys
// (search trigrams), not a MAC. Use a key derived for that purpose alone.
std::uint64_t short_keyed_hash(const SecretKey& key, std::string_view text);

// SHA-256 of a stream of byte strings, for digests that compare contents (not a MAC).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  // Adds `bytes` preceded by their length, so that ("ab","c") and ("a","bc") differ.
  void add(std::string_view bytes);
  // The digest of everything added, as 64 hex digits. Call once.
  std::string hex();

 private:
  alignas(16) std::array<unsigned char, 104> state_;  // crypto_hash_sha256_state, opaque here
};

// HMAC-SHA256(key, text) as 64 hex digits.
std::string keyed_hash_hex(const SecretKey& key, std::string_view text);

// The email blind index: HMAC-SHA256(pepper, normalized email), hex. Equal for two spellings of
// one address that differ only in case or surrounding space.
std::string blind_index(const SecretKey& pepper, std::string_view email);
// The username index: HMAC-SHA256(pepper, "username:" + lower-cased username), hex. Usernames
// are made of names, so they are looked up by this hash, never stored in a key as they are.
std::string username_index(const SecretKey& pepper, std::string_view username);

std::string to_base64(std::string_view bytes);
// Appends the standard base64 (with padding) of `bytes` to `out`.
void append_base64(std::string& out, std::string_view bytes);
// nullopt unless `text` is standard base64 (with padding).
std::optional<std::string> from_base64(std::string_view text);

}  // namespace clientele::events
