#pragma once
// Where the installation's secrets come from (DESIGN.md §3, §6): the key-encryption key (KEK),
// which wraps every customer's DEK, the pepper of the email blind index, and the key that signs
// access tokens (JWT HS256). None is ever stored in the data directory.
//
// Each comes, first found wins, from: its environment variable (the key itself, 64 hex digits
// or base64), its file option, or — for development — a file in the keys directory beside the
// data directory (`./var` -> `./var-keys/kek`, `./var-keys/pepper`, `./var-keys/jwt`), generated
// with mode 0600 only when the installation is new. A missing or unreadable KEK or pepper for an
// existing installation is an error, never a silent new key. The token key alone is generated
// for an existing installation too: nothing stored depends on it, and a new one only makes the
// access tokens issued before it fail (their holders refresh), while installations made before
// it existed keep starting.

#include <filesystem>
#include <string>

#include "domain/result.hpp"
#include "events/crypto.hpp"

namespace clientele::infra {

struct SecretSources {
  std::filesystem::path data_dir;  // the installation's data directory
  std::string kek;                 // the KEK itself (CLIENTELE_KEK), or empty
  std::string kek_file;            // a file holding the KEK (--kek-file), or empty
  std::string pepper;              // the pepper itself (CLIENTELE_PEPPER), or empty
  std::string pepper_file;         // a file holding the pepper (--pepper-file), or empty
  std::string jwt_secret{};        // the token key itself (CLIENTELE_JWT_SECRET), or empty
  std::string jwt_secret_file{};   // a file holding the token key (--jwt-secret-file), or empty
};

struct Secrets {
  events::SecretKey kek;
  events::SecretKey pepper;
};

// The development keys directory of `data_dir`: a sibling named "<name>-keys".
std::filesystem::path dev_keys_dir(const std::filesystem::path& data_dir);

// Whether the installation in `data_dir` already holds a key store (and so needs its secrets).
bool installation_exists(const std::filesystem::path& data_dir);

// Loads (or, for a new installation without configured secrets, generates) the KEK and the
// pepper. errc::invalid with a message naming the option to use when a secret is missing or
// malformed.
Result<Secrets> load_secrets(const SecretSources& sources);

// Loads (or, when none is configured and the keys directory has none, generates) the key that
// signs access tokens. Separate from load_secrets: only the service that issues tokens needs it.
// errc::invalid naming --jwt-secret-file or CLIENTELE_JWT_SECRET when it is malformed or cannot
// be read.
Result<events::SecretKey> load_jwt_secret(const SecretSources& sources);

}  // namespace clientele::infra
