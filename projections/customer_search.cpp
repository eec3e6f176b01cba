#include "projections/customer_search.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string>

#include "domain/validation.hpp"

namespace clientele::projections {
namespace {

using nlohmann::json;

std::string text_key(const CustomerId& customer) {
  return "s/" + customer.str();
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
  const auto name = ascii_lower(doc.value("firstName", std::string()) + " " +
                                doc.value("lastName", std::string()));
  if (name != " ") out.push_back(name);
  if (auto email = ascii_lower(doc.value("email", std::string())); !email.empty())
    out.push_back(email);
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

// Calls `each` with every customer id found under all of `prefixes` (the trigrams of a
// fragment), in id order, until it returns false: the sorted lists are intersected by seeking
// each to the largest id seen (leapfrog), so the cost follows the rarest list, not the longest.
template <class Each>
Result<void> intersect(const Snapshot& snapshot, const Namespace& ns,
                       const std::vector<std::string>& prefixes, Each&& each) {
  if (prefixes.empty()) return success();
  std::vector<std::unique_ptr<Seeker>> lists;
  for (const auto& prefix : prefixes) {
    auto seeker = snapshot.seeker(ns, KeyRange::prefixed(prefix));
    if (!seeker) return seeker.error();
    lists.push_back(std::move(*seeker));
  }
  std::string candidate;
  std::size_t agreeing = 0;
  for (std::size_t i = 0;; i = (i + 1) % prefixes.size()) {
    auto next = lists[i]->seek(prefixes[i] + candidate);
    if (!next) return next.error();
    if (!*next) return success();
    auto id = (*next)->substr(prefixes[i].size());
    if (id != candidate) {
      candidate = std::move(id);
      agreeing = 1;
      continue;
    }
    if (++agreeing < prefixes.size()) continue;
    auto more = each(candidate);
    if (!more) return more.error();
    if (!*more) return success();
    candidate.push_back('\0');  // the next id after it
    agreeing = 0;
  }
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
  auto after = changed_fields(*body, before);
  if (!after || *after == before) return success();
  const auto old_grams = trigrams(texts_of(before));
  const auto new_grams = trigrams(texts_of(*after));
  for (const auto& gram : old_grams) {
    if (new_grams.contains(gram)) continue;
    const auto key = gram_key(gram);
    rows.remove(key + "/" + customer.str());
  }
  for (const auto& gram : new_grams) {
    if (old_grams.contains(gram)) continue;
    const auto key = gram_key(gram);
    rows.put(key + "/" + customer.str(), "");
  }
  if (after->empty()) {
    rows.remove(text_key(customer));
  } else {
    rows.put_doc(text_key(customer), std::move(*after));
  }
  return success();
}

Result<std::vector<CustomerId>> CustomerSearch::search(const Snapshot& snapshot,
                                                       const Namespace& ns,
                                                       std::string_view fragment,
                                                       std::size_t limit) const {
  auto wanted = ascii_lower(fragment);
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
    std::vector<std::string> prefixes;
    for (const auto& gram : trigrams({variant})) prefixes.push_back(gram_key(gram) + "/");
    // A fragment of one trigram is in every text its list names (but for a collision of 64-bit
    // hashes); a longer one may only have all its trigrams scattered over the texts: look.
    const bool look = prefixes.size() > 1;
    auto more = intersect(snapshot, ns, prefixes, [&](const std::string& id) -> Result<bool> {
      if (found.size() == limit) return false;
      if (seen.contains(id)) return true;
      if (!look) {
        seen.insert(id);
        found.emplace_back(id);
        return true;
      }
      auto text = snapshot.get(ns, "s/" + id);
      if (!text) return text.error();
      if (!*text) return true;
      auto doc = parse_doc(**text);
      if (!doc) return doc.error();
      const auto texts = texts_of(*doc);
      if (std::any_of(texts.begin(), texts.end(),
                      [&](const std::string& t) { return t.find(variant) != std::string::npos; })) {
        seen.insert(id);
        found.emplace_back(id);
      }
      return true;
    });
    if (!more) return more.error();
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace clientele::projections
