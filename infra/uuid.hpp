#pragma once
// UUIDv7 (RFC 9562): a 48-bit Unix-millisecond timestamp, then random bits from libsodium, so
// event ids sort by creation time and reveal nothing else.

#include <string>

#include "domain/time.hpp"

namespace clientele::infra {

// "0190a5c2-7b1e-7c3d-8f4a-1b2c3d4e5f60" for `now`. Thread-safe.
std::string uuid_v7(Timestamp now);

}  // namespace clientele::infra
