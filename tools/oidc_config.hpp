#pragma once
// The identity providers of federated login (issue 6, item 4), from the JSON file that
// `clientele serve --oidc-config FILE` names:
//
//   {"providers": [{"name": "google", "issuer": "https://accounts.google.com",
//                   "audiences": ["CLIENT_ID", ...], "jwks": "google-jwks.json"}, ...]}
//
// `name` is google, kakao or apple (customer::Provider); `audiences` holds every client id of ours
// with that provider; `jwks` is the provider's JSON Web Key Set file, relative to the directory of
// the configuration file unless absolute. Other members are refused, so that a misspelt one is
// not silently ignored.

#include <filesystem>

#include "api/oidc.hpp"
#include "domain/result.hpp"

namespace clientele::tools {

// Reads the file at `path` and loads the key set of each provider it names
// (api::OidcVerifier::load). errc::invalid (field "oidc-config") when the file cannot be read, is
// not such a document, or a provider does not load: the message names the file and what is wrong
// with it, never key material.
Result<api::OidcVerifier> load_oidc_config(const std::filesystem::path& path);

}  // namespace clientele::tools
