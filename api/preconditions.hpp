#pragma once
// Optimistic concurrency for clients (DESIGN.md §4): a GET answers `ETag: "<version>"` (the
// version of the aggregate it shows); a change may send it back in `If-Match`, and is refused
// with 412 when the aggregate has changed since (error_mapping.hpp, kIfMatch).

#include <cstdint>
#include <optional>
#include <string>

#include "api/http.hpp"
#include "domain/result.hpp"

namespace clientele::api {

// The ETag of `version`: "\"<version>\"".
std::string etag(std::uint64_t version);

// The version `request`'s If-Match names: nullopt without the header or with "*" (any version);
// errc::invalid (field "If-Match") for anything but one strong ETag of ours.
Result<std::optional<std::uint64_t>> if_match(const Request& request);

}  // namespace clientele::api
