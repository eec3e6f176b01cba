#pragma once
// Sealing the personal fields of an event with its customer's key (DESIGN.md §3).
// The associated data binds a block to its event — event id, customer id, type, version and
// key id — so a block moved to another event, or relabelled, does not open.

#include "domain/result.hpp"
#include "events/envelope.hpp"
#include "events/key_store.hpp"

namespace clientele::events {

// Seals `envelope.personal` with `key`: `sealed` is set and `personal` becomes null. An event
// without personal fields (an empty object) is left as it is: it needs no key.
void seal(Envelope& envelope, const DataKey& key);

// Seals `envelope` with its customer's key from `keys` (made on the customer's first sealed
// event). errc::conflict when the customer's key was destroyed.
Result<void> seal(Envelope& envelope, KeyStore& keys);

// Opens `envelope.sealed` with its customer's key from `keys`:
//   - the key exists: `personal` holds the fields, `sealed` is cleared;
//   - the key was destroyed: `personal` is null and `erased` true (never an error);
//   - the block does not open (altered, moved to another event, wrong key id), or no key ever
//     existed: errc::corrupt naming the event, never the data.
// An envelope without a sealed block is left as it is.
Result<void> open(Envelope& envelope, KeyStore& keys);

// Opens with `key` only; errc::corrupt when the block does not open with it.
Result<void> open(Envelope& envelope, const DataKey& key);

}  // namespace clientele::events
