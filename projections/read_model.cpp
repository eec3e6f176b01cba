#include "projections/read_model.hpp"

#include <vector>

#include "events/crypto.hpp"

namespace clientele::projections {

namespace {

// Runs `scan` (a scan of some range), parsing each row it visits as a document.
template <class Scan>
Result<std::vector<KeyedDoc>> collect_docs(Scan&& scan) {
  std::vector<KeyedDoc> out;
  Result<void> parsed = success();
  auto scanned = scan([&](std::string_view key, std::string_view bytes) {
    auto doc = parse_doc(bytes);
    if (!doc) {
      parsed = doc.error();
      return false;
    }
    out.emplace_back(std::string(key), std::move(*doc));
    return true;
  });
  if (!scanned) return scanned.error();
  if (!parsed) return parsed.error();
  return out;
}

}  // namespace

Result<std::vector<KeyedDoc>> Rows::scan_docs(const KeyRange& range) {
  return collect_docs([&](const Visit& visit) { return scan(range, visit); });
}

Result<std::vector<KeyedDoc>> scan_docs(const Snapshot& snapshot, const Namespace& ns,
                                        const KeyRange& range) {
  return collect_docs([&](const Visit& visit) { return snapshot.scan(ns, range, visit); });
}

Result<std::string> digest(const Snapshot& snapshot, const Namespace& ns) {
  events::Sha256 sha;
  auto scanned = snapshot.scan(ns, KeyRange{}, [&](std::string_view key, std::string_view value) {
    sha.add(key);
    sha.add(value);
    return true;
  });
  if (!scanned) return scanned.error();
  return sha.hex();
}

Result<void> Rows::remove_all(const KeyRange& range) {
  std::vector<std::string> keys;
  auto scanned = scan(range, [&](std::string_view key, std::string_view) {
    keys.emplace_back(key);
    return true;
  });
  if (!scanned) return scanned;
  for (const auto& key : keys) remove(key);
  return success();
}

Result<std::optional<nlohmann::json>> Rows::get_doc(std::string_view key) {
  auto bytes = get(key);
  if (!bytes) return bytes.error();
  if (!*bytes) return std::optional<nlohmann::json>();
  auto doc = parse_doc(**bytes);
  if (!doc) return doc.error();
  return std::optional<nlohmann::json>(std::move(*doc));
}

void Rows::put_doc(std::string_view key, const nlohmann::json& doc) {
  const auto bytes = nlohmann::json::to_msgpack(doc);
  put(key, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

Result<nlohmann::json> parse_doc(std::string_view bytes) {
  auto doc = nlohmann::json::from_msgpack(bytes, /*strict=*/true, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return make_error(errc::corrupt, "", "a read-model row does not parse");
  return doc;
}

}  // namespace clientele::projections
