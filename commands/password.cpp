#include "commands/password.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <utility>

#include "domain/validation.hpp"

namespace clientele::commands {
namespace {

constexpr std::size_t kMinPasswordLength = 8;
constexpr std::size_t kMaxPasswordLength = 128;

Error invalid(std::string_view field, std::string message) {
  return make_error(errc::invalid, std::string(field), std::move(message));
}

// Ranges of code points beyond ASCII that are not letters. With no Unicode database at hand,
// every other code point beyond ASCII counts as a letter: an approximation that errs towards
// accepting passwords written in any script, while "€€€€1234" or an emoji still lacks a letter.
struct Range {
  char32_t first;
  char32_t last;
};
constexpr std::array<Range, 9> kNotLetters{{
    {0x0080, 0x00BF},    // Latin-1 controls, punctuation and symbols
    {0x00D7, 0x00D7},    // multiplication sign
    {0x00F7, 0x00F7},    // division sign
    {0x2000, 0x2BFF},    // general punctuation, symbols, arrows, mathematics, box drawing
    {0x3000, 0x303F},    // CJK symbols and punctuation
    {0xE000, 0xF8FF},    // private use
    {0xFE00, 0xFE0F},    // variation selectors
    {0xFF00, 0xFF20},    // full-width punctuation and digits
    {0x1F000, 0x1FAFF},  // emoji, pictographs, game symbols
}};

bool is_letter(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  return std::none_of(kNotLetters.begin(), kNotLetters.end(),
                      [c](const Range& r) { return c >= r.first && c <= r.last; });
}

// The code point starting at `s[i]` of valid UTF-8 `s`; advances `i` past it.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto lead = static_cast<unsigned char>(s[i++]);
  if (lead < 0x80) return lead;
  const std::size_t extra = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : 1;
  char32_t c = lead & (0x3F >> extra);
  for (std::size_t k = 0; k < extra; ++k) c = c << 6 | (static_cast<unsigned char>(s[i++]) & 0x3F);
  return c;
}

// libsodium must be initialized once before use; sodium_init is idempotent and thread-safe.
bool initialize_sodium() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

}  // namespace

class PasswordHasher::Turns {
 public:
  explicit Turns(unsigned limit) : limit_(limit) {}

  // Holds a turn from construction to destruction.
  class Turn {
   public:
    explicit Turn(Turns& turns) : turns_(turns) { turns_.take(); }
    ~Turn() { turns_.give_back(); }
    Turn(const Turn&) = delete;
    Turn& operator=(const Turn&) = delete;

   private:
    Turns& turns_;
  };

  Load load() const {
    const std::lock_guard lock(mutex_);
    return load_;
  }

 private:
  void take() {
    std::unique_lock lock(mutex_);
    ++load_.waiting;
    free_.wait(lock, [&] { return load_.running < limit_; });
    --load_.waiting;
    ++load_.running;
  }

  void give_back() {
    {
      const std::lock_guard lock(mutex_);
      --load_.running;
    }
    free_.notify_one();
  }

  const unsigned limit_;
  mutable std::mutex mutex_;
  std::condition_variable free_;
  Load load_;
};

PasswordHashing PasswordHashing::for_tests() {
  return PasswordHashing{.ops_limit = crypto_pwhash_argon2id_OPSLIMIT_MIN,
                         .mem_limit = crypto_pwhash_argon2id_MEMLIMIT_MIN,
                         .allow_weak = true};
}

Result<void> PasswordHashing::validate() const {
  if (ops_limit < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
      ops_limit > crypto_pwhash_argon2id_OPSLIMIT_MAX) {
    return invalid("opsLimit", "is outside what argon2id accepts");
  }
  if (mem_limit < crypto_pwhash_argon2id_MEMLIMIT_MIN ||
      mem_limit > crypto_pwhash_argon2id_MEMLIMIT_MAX) {
    return invalid("memLimit", "is outside what argon2id accepts");
  }
  if (allow_weak) return success();
  if (ops_limit < kMinOpsLimit) {
    return invalid("opsLimit", "must be at least " + std::to_string(kMinOpsLimit) +
                                   " (OWASP's minimum for argon2id)");
  }
  if (mem_limit < kMinMemLimit) {
    return invalid("memLimit", "must be at least 19 MiB (OWASP's minimum for argon2id)");
  }
  return success();
}

Result<PasswordHasher> PasswordHasher::create(PasswordHashing params) {
  if (auto valid = params.validate(); !valid) return valid.error();
  if (!initialize_sodium()) {
    return make_error(errc::unavailable, "", "libsodium could not be initialized");
  }
  if (params.concurrency == 0)
    params.concurrency = std::max(1U, std::thread::hardware_concurrency());
  // The dummy's password is random and forgotten: nothing can match it.
  std::array<unsigned char, 16> random{};
  randombytes_buf(random.data(), random.size());
  PasswordHasher hasher(params, "");
  auto dummy =
      hasher.hash(std::string_view(reinterpret_cast<const char*>(random.data()), random.size()));
  sodium_memzero(random.data(), random.size());
  if (!dummy) return dummy.error();
  hasher.dummy_hash_ = std::move(*dummy);
  return hasher;
}

PasswordHasher::PasswordHasher(PasswordHashing params, std::string dummy_hash)
    : params_(params),
      dummy_hash_(std::move(dummy_hash)),
      turns_(std::make_shared<Turns>(params.concurrency)) {}

PasswordHasher::Load PasswordHasher::load() const {
  return turns_->load();
}

Result<std::string> PasswordHasher::hash(std::string_view password) const {
  std::array<char, crypto_pwhash_STRBYTES> out{};
  const Turns::Turn turn(*turns_);
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), params_.ops_limit,
                            params_.mem_limit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    // The only failure left once the parameters are valid is the allocation of mem_limit bytes.
    return make_error(errc::unavailable, "",
                      "not enough memory to hash a password; try again later");
  }
  return std::string(out.data());
}

bool PasswordHasher::verify(std::string_view hash, std::string_view password) const {
  // libsodium reads the hash as a NUL-terminated string of at most STRBYTES - 1 characters.
  if (hash.size() >= crypto_pwhash_STRBYTES) return false;
  const std::string stored(hash);
  const Turns::Turn turn(*turns_);
  return crypto_pwhash_str_verify(stored.c_str(), password.data(), password.size()) == 0;
}

bool PasswordHasher::verify_dummy(std::string_view password) const {
  (void)verify(dummy_hash_, password);
  return false;
}

bool PasswordHasher::needs_rehash(std::string_view hash) const {
  if (hash.size() >= crypto_pwhash_STRBYTES) return true;
  const std::string stored(hash);
  // 0: same algorithm and parameters; 1: other parameters; -1: not an argon2id hash.
  return crypto_pwhash_str_needs_rehash(stored.c_str(), params_.ops_limit, params_.mem_limit) != 0;
}

Result<void> check_password_policy(std::string_view password, std::string_view field) {
  if (auto text = check_text(field, password, kMinPasswordLength, kMaxPasswordLength); !text) {
    return text.error();
  }
  bool letter = false;
  bool digit = false;
  for (std::size_t i = 0; i < password.size();) {
    const char32_t c = next_code_point(password, i);
    letter = letter || is_letter(c);
    digit = digit || (c >= '0' && c <= '9');
  }
  if (!letter || !digit) return invalid(field, "must contain at least one letter and one digit");
  return success();
}

}  // namespace clientele::commands
