#include "tools/oidc_config.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/customer.hpp"

namespace clientele::tools {
namespace {

using nlohmann::json;

// A handful of providers fit in a few hundred bytes; a larger file is not a configuration.
constexpr std::streamsize kMaxConfigFile = 1 << 20;
constexpr std::array<std::string_view, 4> kProviderMembers{"name", "issuer", "audiences", "jwks"};

Error bad_config(const std::filesystem::path& path, std::string_view reason) {
  return make_error(errc::invalid, "oidc-config",
                    "--oidc-config " + path.string() + ": " + std::string(reason));
}

// The text of the file at `path`; nullopt when it cannot be read or is larger than
// kMaxConfigFile.
std::optional<std::string> read_small_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text(static_cast<std::size_t>(kMaxConfigFile) + 1, '\0');
  in.read(text.data(), kMaxConfigFile + 1);
  if (in.bad() || in.gcount() > kMaxConfigFile) return std::nullopt;
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

// The member `name` of `entry` if it is a non-empty string.
std::optional<std::string> text_member(const json& entry, const char* name) {
  const auto found = entry.find(name);
  if (found == entry.end() || !found->is_string() || found->get_ref<const std::string&>().empty())
    return std::nullopt;
  return found->get<std::string>();
}

// The member "audiences" of `entry` if it is an array of non-empty strings, at least one.
std::optional<std::vector<std::string>> audiences_of(const json& entry) {
  const auto found = entry.find("audiences");
  if (found == entry.end() || !found->is_array() || found->empty()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& audience : *found) {
    if (!audience.is_string() || audience.get_ref<const std::string&>().empty())
      return std::nullopt;
    out.push_back(audience.get<std::string>());
  }
  return out;
}

// The provider `entry`, the `index`th of the file at `path`.
Result<api::OidcProvider> read_provider(const json& entry, std::size_t index,
                                        const std::filesystem::path& path) {
  const auto where = "providers[" + std::to_string(index) + "]";
  if (!entry.is_object()) return bad_config(path, where + " is not an object");
  for (const auto& [key, value] : entry.items()) {
    if (std::find(kProviderMembers.begin(), kProviderMembers.end(), key) == kProviderMembers.end())
      return bad_config(path, where + " has an unknown member \"" + key + "\"");
  }
  const auto name = text_member(entry, "name");
  if (!name || !enum_from_string<customer::Provider>(*name))
    return bad_config(path, where + ".name must be google, kakao or apple");
  const auto issuer = text_member(entry, "issuer");
  if (!issuer) return bad_config(path, where + ".issuer must be a non-empty string");
  auto audiences = audiences_of(entry);
  if (!audiences)
    return bad_config(path, where + ".audiences must be non-empty strings, one or more");
  const auto jwks = text_member(entry, "jwks");
  if (!jwks) return bad_config(path, where + ".jwks must name the key set file");
  std::filesystem::path jwks_path(*jwks);
  if (jwks_path.is_relative()) jwks_path = path.parent_path() / jwks_path;
  return api::OidcProvider{*name, *issuer, std::move(*audiences), jwks_path.string()};
}

}  // namespace

Result<api::OidcVerifier> load_oidc_config(const std::filesystem::path& path) {
  const auto text = read_small_file(path);
  if (!text) return bad_config(path, "cannot be read, or is larger than 1 MiB");
  const auto document = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!document.is_object()) return bad_config(path, "is not a JSON object");
  for (const auto& [key, value] : document.items()) {
    if (key != "providers") return bad_config(path, "has an unknown member \"" + key + "\"");
  }
  const auto providers = document.find("providers");
  if (providers == document.end() || !providers->is_array() || providers->empty())
    return bad_config(path, "\"providers\" must be an array of one or more providers");
  std::vector<api::OidcProvider> configured;
  for (std::size_t index = 0; index < providers->size(); ++index) {
    auto provider = read_provider((*providers)[index], index, path);
    if (!provider) return provider.error();
    configured.push_back(std::move(*provider));
  }
  auto verifier = api::OidcVerifier::load(std::move(configured));
  if (!verifier) return bad_config(path, verifier.error().message);
  return verifier;
}

}  // namespace clientele::tools
