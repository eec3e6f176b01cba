#include "infra/secrets.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "infra/logging.hpp"

namespace clientele::infra {
namespace {

struct SecretSpec {
  const char* name;         // "key-encryption key"
  const char* env;          // "CLIENTELE_KEK"
  const char* file_option;  // "--kek-file"
  const char* dev_file;     // "kek"
  // Whether nothing stored depends on the secret, so that a new one may be generated for an
  // existing installation too.
  bool renewable = false;
};

Error missing(const SecretSpec& spec, const std::string& why) {
  return make_error(errc::invalid, spec.file_option,
                    std::string("the ") + spec.name + " " + why + "; give " + spec.file_option +
                        " or " + spec.env);
}

Result<events::SecretKey> read_key_file(const SecretSpec& spec, const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return missing(spec, "file " + path.string() + " cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  auto key = events::SecretKey::parse(text.str());
  if (!key) return missing(spec, "in " + path.string() + " is not 32 bytes of hex or base64");
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 0077) != 0) {
    log(spdlog::level::warn, "secret file is readable by others",
        {{"path", path.string()}, {"secret", spec.name}});
  }
  return key;
}

// Writes a fresh key to `path` with mode 0600, failing if the file exists.
Result<events::SecretKey> generate_key_file(const SecretSpec& spec,
                                            const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  std::filesystem::permissions(path.parent_path(), std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  auto key = events::SecretKey::random();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  // Another process starting at the same moment made it first: use its key.
  if (fd < 0 && errno == EEXIST) return read_key_file(spec, path);
  if (fd < 0) return missing(spec, "file " + path.string() + " cannot be created");
  const std::string text = key.hex() + "\n";
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  if (!written) return missing(spec, "file " + path.string() + " cannot be written");
  log(spdlog::level::warn, "generated a development secret; configure a real one for production",
      {{"path", path.string()}, {"secret", spec.name}});
  return key;
}

Result<events::SecretKey> load_one(const SecretSpec& spec, const std::string& value,
                                   const std::string& file, const std::filesystem::path& data_dir) {
  if (!value.empty()) {
    auto key = events::SecretKey::parse(value);
    if (!key)
      return missing(spec, std::string("in ") + spec.env + " is not 32 bytes of hex or base64");
    return key;
  }
  if (!file.empty()) return read_key_file(spec, file);
  const auto dev = dev_keys_dir(data_dir) / spec.dev_file;
  if (std::filesystem::exists(dev)) return read_key_file(spec, dev);
  if (installation_exists(data_dir) && !spec.renewable) {
    return missing(spec, "is not configured and " + dev.string() +
                             " is missing, but the installation in " + data_dir.string() +
                             " already has keys");
  }
  return generate_key_file(spec, dev);
}

}  // namespace

std::filesystem::path dev_keys_dir(const std::filesystem::path& data_dir) {
  auto absolute = std::filesystem::absolute(data_dir).lexically_normal();
  if (!absolute.has_filename()) absolute = absolute.parent_path();
  return absolute.parent_path() / (absolute.filename().string() + "-keys");
}

bool installation_exists(const std::filesystem::path& data_dir) {
  return std::filesystem::exists(data_dir / "keys" / "CURRENT");
}

Result<Secrets> load_secrets(const SecretSources& sources) {
  static constexpr SecretSpec kKek{"key-encryption key", "CLIENTELE_KEK", "--kek-file", "kek"};
  static constexpr SecretSpec kPepper{"blind-index pepper", "CLIENTELE_PEPPER", "--pepper-file",
                                      "pepper"};
  auto kek = load_one(kKek, sources.kek, sources.kek_file, sources.data_dir);
  if (!kek) return kek.error();
  auto pepper = load_one(kPepper, sources.pepper, sources.pepper_file, sources.data_dir);
  if (!pepper) return pepper.error();
  return Secrets{std::move(*kek), std::move(*pepper)};
}

Result<events::SecretKey> load_jwt_secret(const SecretSources& sources) {
  static constexpr SecretSpec kJwt{"access-token signing key", "CLIENTELE_JWT_SECRET",
                                   "--jwt-secret-file", "jwt", /*renewable=*/true};
  return load_one(kJwt, sources.jwt_secret, sources.jwt_secret_file, sources.data_dir);
}

}  // namespace clientele::infra
