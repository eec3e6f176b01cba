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

Result<std::optional<std::string>> Rows::get(std::string_view key) {
  flush(key);
  return batch_.get(ns_, key);
}

void Rows::put(std::string_view key, std::string_view value) {
  if (const auto it = docs_.find(key); it != docs_.end()) docs_.erase(it);
  batch_.put(ns_, key, value);
}

void Rows::remove(std::string_view key) {
  if (const auto it = docs_.find(key); it != docs_.end()) docs_.erase(it);
  batch_.remove(ns_, key);
}

Result<void> Rows::scan(const KeyRange& range, const Visit& visit) {
  flush();
  return batch_.scan(ns_, range, visit);
}

Result<Rows::CachedDoc*> Rows::cached(std::string_view key) {
  if (const auto it = docs_.find(key); it != docs_.end()) return &it->second;
  auto bytes = batch_.get(ns_, key);
  if (!bytes) return bytes.error();
  CachedDoc entry;
  if (*bytes) {
    auto doc = parse_doc(**bytes);
    if (!doc) return doc.error();
    entry.doc = std::move(*doc);
  }
  return &docs_.emplace(std::string(key), std::move(entry)).first->second;
}

Result<std::optional<nlohmann::json>> Rows::get_doc(std::string_view key) {
  auto entry = cached(key);
  if (!entry) return entry.error();
  return (*entry)->doc;
}

void Rows::put_doc(std::string_view key, nlohmann::json doc) {
  auto& entry = docs_[std::string(key)];
  entry.doc = std::move(doc);
  entry.changed = true;
}

Result<nlohmann::json*> Rows::edit_doc(std::string_view key) {
  auto entry = cached(key);
  if (!entry) return entry.error();
  auto& cached = **entry;
  if (!cached.doc) cached.doc.emplace();
  cached.changed = true;
  return &*cached.doc;
}

void Rows::flush(std::string_view key) {
  const auto it = docs_.find(key);
  if (it == docs_.end() || !it->second.changed) return;
  auto& entry = it->second;
  entry.changed = false;
  if (!entry.doc || entry.doc->is_null()) {
    entry.doc.reset();
    batch_.remove(ns_, key);
    return;
  }
  const auto bytes = nlohmann::json::to_msgpack(*entry.doc);
  batch_.put(ns_, key, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

void Rows::flush() {
  for (const auto& [key, entry] : docs_) {
    if (entry.changed) flush(key);
  }
}

Result<nlohmann::json> parse_doc(std::string_view bytes) {
  auto doc = nlohmann::json::from_msgpack(bytes, /*strict=*/true, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return make_error(errc::corrupt, "", "a read-model row does not parse");
  return doc;
}

}  // namespace clientele::projections
