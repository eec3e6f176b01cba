#include "projections/orders.hpp"

#include <algorithm>
#include <set>
#include <string>

#include "domain/validation.hpp"
#include "events/json.hpp"

namespace clientele::projections {
namespace {

using nlohmann::json;

constexpr std::string_view kOrderStream = "order-";
constexpr std::size_t kMaxWord = 32;  // longer words are indexed by their start

std::string order_key(std::string_view order) {
  return "o/" + std::string(order);
}
std::string history_prefix(std::string_view order) {
  return "h/" + std::string(order) + "/";
}
std::string customer_prefix(std::string_view customer) {
  return "c/" + std::string(customer) + "/";
}
std::string status_prefix(std::string_view dimension) {
  return "s/" + std::string(dimension) + "/";
}
std::string word_prefix(std::string_view word) {
  return "p/" + std::string(word);
}

// The lower-case words of `text`: runs of ASCII letters and digits, and of non-ASCII bytes (so
// that UTF-8 words stay whole), each cut to kMaxWord bytes.
std::set<std::string> words(std::string_view text) {
  std::set<std::string> out;
  std::string word;
  const auto flush = [&] {
    if (!word.empty()) out.insert(word.substr(0, kMaxWord));
    word.clear();
  };
  for (const char c : ascii_lower(text)) {
    const auto byte = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || byte >= 0x80) {
      word.push_back(c);
    } else {
      flush();
    }
  }
  flush();
  return out;
}

// The words of every product name of an order document.
std::set<std::string> product_words(const json& doc) {
  std::set<std::string> out;
  for (const auto& item : doc["items"]) out.merge(words(item["productName"].get<std::string>()));
  return out;
}

// The index keys by placement time of an order document, with the value each holds.
std::vector<std::pair<std::string, json>> time_index(const json& doc) {
  const auto& id = doc["orderId"].get_ref<const std::string&>();
  const auto& status = doc["status"].get_ref<const std::string&>();
  const auto& customer = doc["customerId"].get_ref<const std::string&>();
  const auto placed = ordered(doc["placed"].get<std::int64_t>()) + id;
  const json value{{"status", status}, {"customerId", customer}};
  return {{customer_prefix(customer) + placed, value},
          {status_prefix("*") + placed, value},
          {status_prefix("status:" + status) + placed, value}};
}

// A personal text as the rows hold it: null when the event was read erased.
json personal(const Folded& event, const std::string& text) {
  return event.envelope.erased ? json() : json(text);
}

// The delivery address as the rows hold it; only its country once erased.
json delivery_address(const PostalAddress& p, bool erased) {
  if (erased) return json{{"country", p.country}};
  return json{{"recipientName", p.recipient_name}, {"phone", p.phone},    {"addressLine1", p.line1},
              {"addressLine2", p.line2},           {"city", p.city},      {"state", p.state},
              {"postalCode", p.postal_code},       {"country", p.country}};
}

// What an order event changes in the order document besides its status.
struct Change {
  const Folded& event;
  json& doc;
  json notes;  // the history entry's notes (personal), set by the event

  void operator()(const order::Placed& e) {
    json items = json::array();
    for (const auto& item : e.items) {
      items.push_back({{"productId", item.product_id},
                       {"productName", item.product_name},
                       {"quantity", item.quantity},
                       {"unitPrice", item.unit_price},
                       {"totalPrice", item.total_price}});
    }
    doc = {{"orderId", e.order_id},
           {"customerId", e.customer_id},
           {"items", std::move(items)},
           {"currency", e.currency},
           {"totalAmount", e.total_amount},
           {"status", order::Status::Placed},
           {"returnStatus", nullptr},
           {"deliveryAddress", delivery_address(e.delivery_address, event.envelope.erased)},
           {"cancellationReason", nullptr},
           {"returnReason", nullptr},
           {"returnNotes", nullptr},
           {"placedAt", event.envelope.at},
           {"placed", millis(event.envelope.at)},
           {"deliveredAt", nullptr}};
  }
  void operator()(const order::StatusChanged& e) {
    doc["status"] = e.to;
    if (e.to == order::Status::Delivered) doc["deliveredAt"] = e.at;
    notes = personal(event, e.notes);
  }
  void operator()(const order::Cancelled& e) {
    doc["status"] = order::Status::Cancelled;
    doc["cancellationReason"] = notes = personal(event, e.reason);
  }
  void operator()(const order::ReturnRequested& e) {
    doc["status"] = order::Status::ReturnRequested;
    doc["returnStatus"] = order::ReturnStatus::Pending;
    doc["returnReason"] = notes = personal(event, e.reason);
  }
  void operator()(const order::ReturnApproved& e) {
    doc["returnStatus"] = order::ReturnStatus::Approved;
    doc["returnNotes"] = notes = personal(event, e.notes);
  }
  void operator()(const order::ReturnRejected& e) {
    doc["status"] = order::Status::Delivered;
    doc["returnStatus"] = order::ReturnStatus::Rejected;
    doc["returnNotes"] = notes = personal(event, e.reason);
  }
  void operator()(const order::Returned&) { doc["status"] = order::Status::Returned; }
};

// Writes the index entries of `after`, replacing those of `before` (null for a new order).
void store_indexes(Rows& rows, const json& before, const json& after) {
  if (!before.is_null()) {
    for (const auto& [key, value] : time_index(before)) rows.remove(key);
  }
  for (const auto& [key, value] : time_index(after)) rows.put_doc(key, value);
  if (!before.is_null()) return;
  const auto& id = after["orderId"].get_ref<const std::string&>();
  for (const auto& word : product_words(after)) rows.put(word_prefix(word) + "/" + id, "");
}

Result<void> apply_order(const Folded& event, const order::Event& body, Rows& rows) {
  const auto& stream = event.envelope.stream;
  if (!stream.starts_with(kOrderStream)) return success();
  const auto id = stream.substr(kOrderStream.size());
  auto stored = rows.get_doc(order_key(id));
  if (!stored) return stored.error();
  const bool placement = std::holds_alternative<order::Placed>(body);
  if (!*stored && !placement) return success();  // no such order
  const json before = stored->value_or(json());
  json doc = before;
  Change change{event, doc, json()};
  std::visit(change, body);
  doc["updatedAt"] = event.envelope.at;
  doc["version"] = event.envelope.seq.value;

  store_indexes(rows, before, doc);
  rows.put_doc(history_prefix(id) + ordered(static_cast<std::int64_t>(event.envelope.seq.value)),
               {{"event", event.envelope.type},
                {"from", placement ? json() : before["status"]},
                {"to", doc["status"]},
                {"notes", change.notes},
                {"actor", {{"id", event.envelope.actor.id}, {"role", event.envelope.actor.role}}},
                {"at", event.envelope.at}});
  rows.put_doc(order_key(id), std::move(doc));
  return success();
}

// Removes every personal value of the customer's orders.
Result<void> erase_customer(const CustomerId& customer, Rows& rows) {
  const auto prefix = customer_prefix(customer.str());
  auto entries = rows.scan_docs(KeyRange::prefixed(prefix));
  if (!entries) return entries.error();
  for (const auto& [key, value] : *entries) {
    const auto id = key.substr(prefix.size() + 8);
    auto stored = rows.get_doc(order_key(id));
    if (!stored) return stored.error();
    if (!*stored) continue;
    auto& order = **stored;
    order["deliveryAddress"] = json{{"country", order["deliveryAddress"]["country"]}};
    for (const char* field : {"cancellationReason", "returnReason", "returnNotes"}) {
      order[field] = nullptr;
    }
    rows.put_doc(order_key(id), std::move(order));
    auto history = rows.scan_docs(KeyRange::prefixed(history_prefix(id)));
    if (!history) return history.error();
    for (auto& [entry_key, entry] : *history) {
      if (entry["notes"].is_null()) continue;
      entry["notes"] = nullptr;
      rows.put_doc(entry_key, std::move(entry));
    }
  }
  return success();
}

// The documents of the orders `ids`, in that order; unknown ones are left out.
Result<std::vector<json>> documents(const Snapshot& snapshot, const Namespace& ns,
                                    const std::vector<std::string>& ids) {
  std::vector<json> out;
  for (const auto& id : ids) {
    auto stored = snapshot.get(ns, order_key(id));
    if (!stored) return stored.error();
    if (!*stored) continue;
    auto doc = parse_doc(**stored);
    if (!doc) return doc.error();
    out.push_back(std::move(*doc));
  }
  return out;
}

bool owned_by(const json& value, const std::optional<CustomerId>& customer) {
  return !customer || value["customerId"] == customer->str();
}

// Whether every word of `wanted` begins a word of `have`.
bool begins_words(const std::set<std::string>& wanted, const std::set<std::string>& have) {
  return std::ranges::all_of(wanted, [&](const std::string& word) {
    const auto at = have.lower_bound(word);
    return at != have.end() && at->starts_with(word);
  });
}

}  // namespace

Result<void> Orders::evolve(const Folded& event, Rows& rows) const {
  if (const auto* body = std::get_if<order::Event>(&event.event)) {
    return apply_order(event, *body, rows);
  }
  const auto* body = std::get_if<customer::Event>(&event.event);
  if (body != nullptr && std::holds_alternative<customer::Erased>(*body)) {
    return erase_customer(event.envelope.customer_id, rows);
  }
  return success();
}

Result<std::optional<nlohmann::json>> Orders::find(const Snapshot& snapshot, const Namespace& ns,
                                                   const OrderId& order) const {
  auto found = documents(snapshot, ns, {order.str()});
  if (!found) return found.error();
  if (found->empty()) return std::optional<json>();
  return std::optional<json>(std::move(found->front()));
}

Result<std::vector<nlohmann::json>> Orders::history(const Snapshot& snapshot, const Namespace& ns,
                                                    const OrderId& order) const {
  auto entries = scan_docs(snapshot, ns, KeyRange::prefixed(history_prefix(order.str())));
  if (!entries) return entries.error();
  std::vector<json> out;
  for (auto& [key, entry] : *entries) out.push_back(std::move(entry));
  return out;
}

Result<OrderPage> Orders::list(const Snapshot& snapshot, const Namespace& ns,
                               const OrderQuery& query) const {
  // The customer's index when one is named (the status is checked on its entries), else the
  // status's, else every order's.
  const auto prefix = query.customer ? customer_prefix(query.customer->str())
                      : query.status ? status_prefix("status:" + *query.status)
                                     : status_prefix("*");
  auto range = KeyRange::prefixed(prefix);
  if (query.placed_after) range.from = prefix + ordered(millis(*query.placed_after));
  if (query.placed_before) range.to = prefix + ordered(millis(*query.placed_before));
  const bool check_status = query.customer && query.status;
  const Wanted wanted = [&](std::string_view, std::string_view value) -> Result<bool> {
    if (!check_status) return true;
    auto fields = parse_doc(value);
    if (!fields) return fields.error();
    return (*fields)["status"] == *query.status;
  };
  auto keys = read_page(snapshot, ns, prefix, range, query.page, wanted);
  if (!keys) return keys.error();
  std::vector<std::string> ids;
  for (const auto& key : keys->keys) ids.push_back(key.substr(prefix.size() + 8));
  auto orders = documents(snapshot, ns, ids);
  if (!orders) return orders.error();
  return OrderPage{std::move(*orders), std::move(keys->next)};
}

Result<std::vector<OrderId>> Orders::active(const Snapshot& snapshot, const Namespace& ns,
                                            const CustomerId& customer) const {
  const auto prefix = customer_prefix(customer.str());
  auto entries = scan_docs(snapshot, ns, KeyRange::prefixed(prefix));
  if (!entries) return entries.error();
  std::vector<OrderId> out;
  for (const auto& [key, value] : *entries) {
    const auto status = value["status"].get<std::string>();
    if (status == "Delivered" || status == "Cancelled" || status == "Returned") continue;
    out.emplace_back(key.substr(prefix.size() + 8));
  }
  return out;
}

Result<std::vector<nlohmann::json>> Orders::search(const Snapshot& snapshot, const Namespace& ns,
                                                   std::string_view text,
                                                   const std::optional<CustomerId>& customer,
                                                   std::size_t limit) const {
  std::vector<json> out;
  Result<void> failed = success();
  // Keeps the order `doc` if it is the customer's; false once the answer is full.
  const auto keep = [&](std::string_view bytes, const std::set<std::string>& wanted_words) {
    auto doc = parse_doc(bytes);
    if (!doc) {
      failed = doc.error();
      return false;
    }
    if (owned_by(*doc, customer) && begins_words(wanted_words, product_words(*doc))) {
      out.push_back(std::move(*doc));
    }
    return out.size() < limit;
  };
  if (limit == 0) return out;
  if (ascii_lower(text.substr(0, 4)) == "ord-") {
    std::string id(text);
    std::transform(id.begin(), id.end(), id.begin(),
                   [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; });
    auto scanned = snapshot.scan_backward(
        ns, KeyRange::prefixed(order_key(id)),
        [&](std::string_view, std::string_view bytes) { return keep(bytes, {}); });
    if (!scanned) return scanned.error();
    if (!failed) return failed.error();
    return out;
  }
  const auto wanted_words = words(text);
  if (wanted_words.empty()) return out;
  // Candidates from the longest word's entries (the fewest); the others are checked on the order.
  const auto longest = std::ranges::max(
      wanted_words, [](const auto& a, const auto& b) { return a.size() < b.size(); });
  std::set<std::string> seen;
  auto scanned = snapshot.scan_backward(
      ns, KeyRange::prefixed(word_prefix(longest)), [&](std::string_view key, std::string_view) {
        const auto id = std::string(key.substr(key.rfind('/') + 1));
        if (!seen.insert(id).second) return true;
        auto stored = snapshot.get(ns, order_key(id));
        if (!stored) {
          failed = stored.error();
          return false;
        }
        return !*stored || keep(**stored, wanted_words);
      });
  if (!scanned) return scanned.error();
  if (!failed) return failed.error();
  return out;
}

}  // namespace clientele::projections
