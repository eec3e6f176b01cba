#include "infra/uuid.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <array>
#include <cstdint>

namespace clientele::infra {

std::string uuid_v7(Timestamp now) {
  std::array<std::uint8_t, 16> b{};
  randombytes_buf(b.data(), b.size());  // libsodium self-initializes on first use
  const auto ms = static_cast<std::uint64_t>(now.time_since_epoch().count());
  for (int i = 0; i < 6; ++i) b[i] = static_cast<std::uint8_t>(ms >> (8 * (5 - i)));
  b[6] = static_cast<std::uint8_t>(0x70 | (b[6] & 0x0F));  // version 7
  b[8] = static_cast<std::uint8_t>(0x80 | (b[8] & 0x3F));  // variant 10xx
  return fmt::format(
      "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-"
      "{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
      b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
      b[15]);
}

CustomerId random_customer_id() {
  return CustomerId(fmt::format("CUST_{:08x}", randombytes_random()));
}

AddressId random_address_id() {
  return AddressId(fmt::format("ADDR_{:08x}", randombytes_random()));
}

ComplaintId random_complaint_id() {
  return ComplaintId(fmt::format("CMP_{:08x}{:08x}", randombytes_random(), randombytes_random()));
}

CommentId random_comment_id() {
  return CommentId(fmt::format("CMT_{:08x}", randombytes_random()));
}

}  // namespace clientele::infra
