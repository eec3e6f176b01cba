#include "projections/read_model.hpp"

#include <algorithm>
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

std::int64_t millis(Timestamp t) {
  return t.time_since_epoch().count();
}

std::string ordered(std::int64_t value) {
  auto bits = static_cast<std::uint64_t>(value) ^ (std::uint64_t{1} << 63);
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, bits >>= 8)
    out[static_cast<std::size_t>(i)] = static_cast<char>(bits);
  return out;
}

Result<KeyPage> read_page(const Snapshot& snapshot, const Namespace& ns, const std::string& prefix,
                          KeyRange range, const PageRequest& request, const Wanted& wanted) {
  if (!request.after.empty()) {
    const auto cursor = events::from_base64(request.after);
    if (!cursor || cursor->rfind(prefix, 0) != 0 || cursor->size() <= prefix.size()) {
      return make_error(errc::invalid, "after", "not a cursor of this listing");
    }
    if (request.descending) {
      range.to = std::min(range.to.empty() ? *cursor : range.to, *cursor);
    } else {
      range.from = std::max(range.from, *cursor + '\0');
    }
  }
  KeyPage page;
  if (request.limit == 0) return page;
  Result<void> failed = success();
  const Visit visit = [&](std::string_view key, std::string_view value) {
    auto keep = wanted(key, value);
    if (!keep) {
      failed = keep.error();
      return false;
    }
    if (!*keep) return true;
    if (page.keys.size() == request.limit) {
      page.next = events::to_base64(page.keys.back());
      return false;
    }
    page.keys.emplace_back(key);
    return true;
  };
  auto scanned = request.descending ? snapshot.scan_backward(ns, range, visit)
                                    : snapshot.scan(ns, range, visit);
  if (!scanned) return scanned.error();
  if (!failed) return failed.error();
  return page;
}

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
