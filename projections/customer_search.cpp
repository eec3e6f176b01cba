#include "projections/customer_search.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <set>
#include <string>

namespace clientele::projections {
namespace {

using nlohmann::json;

std::string text_key(const CustomerId& customer) {
  return "s/" + customer.str();
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string digits(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c >= '0' && c <= '9') out += c;
  }
  return out;
}

// The searchable texts of a customer: its name, email and phone digits (empty ones left out).
std::vector<std::string> texts_of(const json& doc) {
  std::vector<std::string> out;
  const auto name =
      lower(doc.value("firstName", std::string()) + " " + doc.value("lastName", std::string()));
  if (name != " ") out.push_back(name);
  if (auto email = lower(doc.value("email", std::string())); !email.empty()) out.push_back(email);
  if (auto phone = digits(doc.value("phone", std::string())); !phone.empty()) out.push_back(phone);
  return out;
}

std::set<std::string> trigrams(const std::vector<std::string>& texts) {
  std::set<std::string> out;
  for (const auto& text : texts) {
    for (std::size_t i = 0; i + CustomerSearch::kMinFragment <= text.size(); ++i)
      out.insert(text.substr(i, CustomerSearch::kMinFragment));
  }
  return out;
}

std::string partition_suffix(events::Partition partition) {
  return fmt::format("/{:04d}", partition.value);
}

// Adds `delta` to the count of customers of `partition` holding the trigram `gram_key`.
Result<void> count(Rows& rows, const std::string& gram_key, events::Partition partition,
                   std::int64_t delta) {
  const auto key = "n" + gram_key.substr(1) + partition_suffix(partition);
  auto stored = rows.get(key);
  if (!stored) return stored.error();
  std::int64_t n = 0;
  if (*stored) std::from_chars((*stored)->data(), (*stored)->data() + (*stored)->size(), n);
  n += delta;
  if (n <= 0) {
    rows.remove(key);
  } else {
    rows.put(key, std::to_string(n));
  }
  return success();
}

// The customer's name, email and phone after one customer event; nullopt when it does not
// change them.
std::optional<json> changed_fields(const customer::Event& body, json doc) {
  if (const auto* e = std::get_if<customer::Registered>(&body)) {
    return json{{"firstName", e->first_name},
                {"lastName", e->last_name},
                {"email", e->email},
                {"phone", e->phone}};
  }
  if (const auto* e = std::get_if<customer::ProfileUpdated>(&body)) {
    if (e->first_name) doc["firstName"] = *e->first_name;
    if (e->last_name) doc["lastName"] = *e->last_name;
    if (e->phone) doc["phone"] = *e->phone;
    return doc;
  }
  if (const auto* e = std::get_if<customer::EmailChanged>(&body)) {
    doc["email"] = e->email;
    return doc;
  }
  if (std::holds_alternative<customer::Erased>(body)) return json::object();
  return std::nullopt;
}

}  // namespace

std::string CustomerSearch::gram_key(std::string_view gram) const {
  auto hash = events::short_keyed_hash(key_, gram);
  std::string key = "g/________";
  for (std::size_t i = 9; i >= 2; --i, hash >>= 8) key[i] = static_cast<char>(hash & 0xff);
  return key;
}

Result<void> CustomerSearch::evolve(const Folded& event, Rows& rows) const {
  const auto* body = std::get_if<customer::Event>(&event.event);
  if (body == nullptr) return success();
  const auto& customer = event.envelope.customer_id;
  auto stored = rows.get_doc(text_key(customer));
  if (!stored) return stored.error();
  const json before = stored->value_or(json::object());
  const auto after = changed_fields(*body, before);
  if (!after || *after == before) return success();
  const auto old_grams = trigrams(texts_of(before));
  const auto new_grams = trigrams(texts_of(*after));
  for (const auto& gram : old_grams) {
    if (new_grams.contains(gram)) continue;
    const auto key = gram_key(gram);
    rows.remove(key + "/" + customer.str());
    if (auto counted = count(rows, key, event.position.partition, -1); !counted) return counted;
  }
  for (const auto& gram : new_grams) {
    if (old_grams.contains(gram)) continue;
    const auto key = gram_key(gram);
    rows.put(key + "/" + customer.str(), "");
    if (auto counted = count(rows, key, event.position.partition, 1); !counted) return counted;
  }
  if (after->empty()) {
    rows.remove(text_key(customer));
  } else {
    rows.put_doc(text_key(customer), *after);
  }
  return success();
}

Result<std::vector<CustomerId>> CustomerSearch::search(const Snapshot& snapshot,
                                                       const Namespace& ns,
                                                       std::string_view fragment,
                                                       std::size_t limit) const {
  auto wanted = lower(fragment);
  wanted.erase(0, wanted.find_first_not_of(' '));
  wanted.erase(wanted.find_last_not_of(' ') + 1);
  if (wanted.size() < kMinFragment) {
    return make_error(errc::invalid, "q",
                      fmt::format("give at least {} characters to search for", kMinFragment));
  }
  // The rarest trigram of the fragment (a phone number is searched by its digits too).
  std::vector<std::string> variants{wanted};
  if (const auto phone = digits(wanted); phone.size() >= kMinFragment && phone != wanted)
    variants.push_back(phone);
  std::vector<CustomerId> found;
  std::set<std::string> seen;
  for (const auto& variant : variants) {
    std::string rarest;
    std::int64_t fewest = std::numeric_limits<std::int64_t>::max();
    for (const auto& gram : trigrams({variant})) {
      const auto key = gram_key(gram);
      std::int64_t n = 0;
      auto counted =
          snapshot.scan(ns, KeyRange::prefixed("n" + key.substr(1) + "/"),
                        [&](std::string_view, std::string_view value) {
                          std::int64_t part = 0;
                          std::from_chars(value.data(), value.data() + value.size(), part);
                          n += part;
                          return true;
                        });
      if (!counted) return counted.error();
      if (n < fewest) {
        fewest = n;
        rarest = key;
      }
    }
    if (fewest == 0) continue;
    // Its customers, kept when their text holds the whole fragment.
    const auto prefix = rarest + "/";
    Result<void> checked = success();
    auto scanned =
        snapshot.scan(ns, KeyRange::prefixed(prefix), [&](std::string_view key, std::string_view) {
          if (found.size() == limit) return false;
          const auto id = std::string(key.substr(prefix.size()));
          auto text = snapshot.get(ns, "s/" + id);
          if (!text) {
            checked = text.error();
            return false;
          }
          if (!*text || seen.contains(id)) return true;
          auto doc = parse_doc(**text);
          if (!doc) {
            checked = doc.error();
            return false;
          }
          const auto texts = texts_of(*doc);
          if (std::any_of(texts.begin(), texts.end(), [&](const std::string& t) {
                return t.find(variant) != std::string::npos;
              })) {
            seen.insert(id);
            found.emplace_back(id);
          }
          return true;
        });
    if (!scanned) return scanned.error();
    if (!checked) return checked.error();
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace clientele::projections
