#pragma once
// Fresh ids from libsodium's random bytes: UUIDv7 (RFC 9562: a 48-bit Unix-millisecond
// timestamp, then random bits), so event ids sort by creation time and reveal nothing else; and
// customer, address, complaint and comment ids.

#include <string>

#include "domain/ids.hpp"
#include "domain/time.hpp"

namespace clientele::infra {

// "0190a5c2-7b1e-7c3d-8f4a-1b2c3d4e5f60" for `now`. Thread-safe.
std::string uuid_v7(Timestamp now);

// "CUST_" and 8 random lower-case hex digits (DESIGN.md §6). Thread-safe. Ids may repeat (2^32
// of them): the command layer makes sure a new one is not taken.
CustomerId random_customer_id();

// "ADDR_" and 8 random lower-case hex digits. Thread-safe. Ids may repeat; they need only be
// unique within one customer's book (at most 20 addresses), where the decider refuses a repeat.
AddressId random_address_id();

// "CMP_" and 16 random lower-case hex digits. Thread-safe. Administrators address a complaint by
// its id alone, so it is too long to guess; the command layer still makes sure it is not taken.
ComplaintId random_complaint_id();

// "CMT_" and 8 random lower-case hex digits. Thread-safe. Ids may repeat; they need only be
// unique within one complaint, where the command layer draws again on a repeat.
CommentId random_comment_id();

}  // namespace clientele::infra
