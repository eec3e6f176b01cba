#include "events/sealing.hpp"

#include <string>
#include <utility>

namespace clientele::events {
namespace {

// Length-prefixed fields, so that no two different tuples produce the same bytes.
std::string associated_data(const Envelope& e, std::string_view kid) {
  const std::string version = std::to_string(e.v);
  std::string out;
  out.reserve(64 + e.id.size() + e.customer_id.str().size() + e.type.size() + kid.size());
  out = "clientele.sealed.v1";
  for (const std::string_view part : {std::string_view(e.id), std::string_view(e.customer_id.str()),
                                      std::string_view(e.type), std::string_view(version), kid}) {
    out += '|';
    out += std::to_string(part.size());
    out += ':';
    out += part;
  }
  return out;
}

Error corrupt_block(const Envelope& e, const std::string& why) {
  return make_error(errc::corrupt, "sealed",
                    "sealed block of event " + e.id + " (" + e.type + ") " + why);
}

}  // namespace

void seal(Envelope& envelope, const DataKey& key) {
  if (!envelope.personal.is_object() || envelope.personal.empty()) return;
  // The fields travel as MessagePack: smaller than JSON text, and cheaper to read back.
  const auto packed = nlohmann::json::to_msgpack(envelope.personal);
  auto sealed = aead_seal(
      key.key, std::string_view(reinterpret_cast<const char*>(packed.data()), packed.size()),
      associated_data(envelope, key.id));
  envelope.sealed = SealedBlock{key.id, std::move(sealed.nonce), std::move(sealed.bytes)};
  envelope.personal = nullptr;
}

Result<void> seal(Envelope& envelope, KeyStore& keys) {
  if (!envelope.personal.is_object() || envelope.personal.empty()) return success();
  auto key = keys.key_for_sealing(envelope.customer_id);
  if (!key) return key.error();
  seal(envelope, **key);
  return success();
}

Result<void> open(Envelope& envelope, const DataKey& key) {
  if (!envelope.sealed) return success();
  if (envelope.sealed->kid != key.id) return corrupt_block(envelope, "names another key");
  const auto plaintext = aead_open(key.key, Ciphertext{envelope.sealed->nonce, envelope.sealed->ct},
                                   associated_data(envelope, envelope.sealed->kid));
  if (!plaintext) return corrupt_block(envelope, "does not open: altered or moved");
  auto personal = nlohmann::json::from_msgpack(*plaintext, /*strict=*/true,
                                               /*allow_exceptions=*/false);
  if (!personal.is_object()) return corrupt_block(envelope, "holds no object");
  envelope.personal = std::move(personal);
  envelope.sealed.reset();
  envelope.erased = false;
  return success();
}

Result<void> open(Envelope& envelope, KeyStore& keys) {
  if (!envelope.sealed) return success();
  auto key = keys.key_for_opening(envelope.customer_id, envelope.sealed->kid);
  if (key) return open(envelope, **key);
  if (key.error().code != errc::not_found) return key.error();
  auto destroyed = keys.is_destroyed(envelope.customer_id);
  if (!destroyed) return destroyed.error();
  if (!*destroyed) return corrupt_block(envelope, "names a key that never existed");
  envelope.personal = nullptr;
  envelope.sealed.reset();
  envelope.erased = true;
  return success();
}

}  // namespace clientele::events
