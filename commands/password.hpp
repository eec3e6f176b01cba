#pragma once
// Passwords (DESIGN.md §6, issue 6): argon2id through libsodium's crypto_pwhash_str_alg, at no
// less than OWASP's minimum (m = 19 MiB, t = 2) unless weaker hashing is asked for by name, and
// the rules a new password must follow.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "domain/result.hpp"

namespace clientele::commands {

// The cost of one argon2id hash. The defaults are OWASP's minimum for argon2id.
struct PasswordHashing {
  static constexpr unsigned long long kMinOpsLimit = 2;               // OWASP: t >= 2
  static constexpr std::size_t kMinMemLimit = std::size_t{19} << 20;  // OWASP: m >= 19 MiB

  unsigned long long ops_limit = kMinOpsLimit;  // passes over the memory (argon2's t)
  std::size_t mem_limit = kMinMemLimit;         // bytes of memory per hash (argon2's m)
  // Accept parameters below OWASP's minimum. Only for_tests() and an explicit, named option of
  // the CLI may set it — never a default — so that weak hashing is a decision someone made.
  bool allow_weak = false;
  // How many hashes may run at once; the others wait their turn. Each running hash holds
  // mem_limit bytes and a core, so this bounds what a burst of logins can take: mem_limit times
  // this in memory, and this many cores, however many requests arrive together (while the
  // threads that serve them are free to do other work, such as waiting on the disk). 0: one per
  // core of the machine.
  unsigned concurrency = 0;

  // The cheapest parameters libsodium accepts (t = 1, m = 8 KiB) with allow_weak set: for tests,
  // where each hash at the minimum would cost tens of milliseconds.
  static PasswordHashing for_tests();

  // success iff the parameters are within libsodium's bounds for argon2id and, unless
  // allow_weak, at least OWASP's minimum; errc::invalid naming "opsLimit" or "memLimit" otherwise.
  Result<void> validate() const;
};

// Hashes and verifies passwords with fixed parameters. Thread-safe; each call costs one argon2id
// computation, run when its turn comes (PasswordHashing::concurrency). Copies share their turns.
class PasswordHasher {
 public:
  // The hashes running and waiting for their turn, at one moment.
  struct Load {
    unsigned running = 0;
    unsigned waiting = 0;
  };

  // A hasher with `params`; errc::invalid when params.validate() fails, errc::unavailable when
  // libsodium cannot be initialized or cannot allocate the memory for the dummy hash.
  static Result<PasswordHasher> create(PasswordHashing params);

  // The argon2id hash of `password` in libsodium's string form ("$argon2id$v=19$m=...").
  // errc::unavailable when libsodium could not allocate mem_limit bytes.
  Result<std::string> hash(std::string_view password) const;

  // Whether `password` matches `hash` (made by hash(), with any parameters). False for a
  // malformed hash. Costs what `hash`'s own parameters cost.
  bool verify(std::string_view hash, std::string_view password) const;

  // Always false, after the work verify() does for a hash made with this hasher's parameters: a
  // login for an unknown account calls it so that its timing does not tell that the account
  // does not exist.
  bool verify_dummy(std::string_view password) const;

  // Whether `hash` was made with other parameters than this hasher's (or is not an argon2id
  // hash at all), so that it should be replaced by hash(password) after a successful verify().
  bool needs_rehash(std::string_view hash) const;

  // The parameters, with concurrency resolved (never 0).
  const PasswordHashing& parameters() const { return params_; }

  // How many hashes run and wait now (for /metrics).
  Load load() const;

 private:
  class Turns;  // hands out the turns to hash: at most params_.concurrency at once

  PasswordHasher(PasswordHashing params, std::string dummy_hash);

  PasswordHashing params_;        // the cost of every hash made here
  std::string dummy_hash_;        // the hash of a random password, made with params_
  std::shared_ptr<Turns> turns_;  // shared by copies, so that they all count against one limit
};

// The rules for a new password (register, change-password, reset-password): 8 to 128 characters
// (Unicode code points of valid UTF-8, no control characters), at least one letter and one digit.
// errc::invalid naming `field` ("password", "newPassword"); the message never repeats the value.
Result<void> check_password_policy(std::string_view password, std::string_view field);

}  // namespace clientele::commands
