#include "projections/customer_list.hpp"

#include <algorithm>
#include <climits>
#include <string>

#include "domain/validation.hpp"
#include "events/json.hpp"

namespace clientele::projections {
namespace {

using nlohmann::json;

constexpr std::string_view kIndex = "i/";

std::string member_key(const CustomerId& customer) {
  return "m/" + customer.str();
}

std::string_view sort_name(ListSort sort) {
  switch (sort) {
    case ListSort::CreatedAt:
      return "created";
    case ListSort::TotalOrders:
      return "orders";
    case ListSort::TotalOrderValue:
      return "value";
    case ListSort::LastOrderDate:
      break;
  }
  return "last";
}

constexpr std::array<ListSort, 4> kSorts{ListSort::CreatedAt, ListSort::TotalOrders,
                                         ListSort::TotalOrderValue, ListSort::LastOrderDate};

// A nullable number of the member: INT64_MIN when null, so that it sorts first.
std::int64_t number(const json& member, const char* field) {
  const auto& value = member[field];
  return value.is_number() ? value.get<std::int64_t>() : INT64_MIN;
}

std::int64_t sort_value(const json& member, ListSort sort) {
  switch (sort) {
    case ListSort::CreatedAt:
      return number(member, "createdAt");
    case ListSort::TotalOrders:
      return number(member, "orders");
    case ListSort::TotalOrderValue:
      return number(member, "value");
    case ListSort::LastOrderDate:
      break;
  }
  return number(member, "lastOrder");
}

// The address the member is located at: the default one, else the first added; null if none.
json location(const json& member) {
  const auto& addresses = member["addresses"];
  for (const auto& address : addresses) {
    if (address[0] == member["defaultAddress"]) return address;
  }
  return addresses.empty() ? json() : addresses.front();
}

// The filter dimensions the member falls in.
std::vector<std::string> dimensions(const json& member) {
  std::vector<std::string> out{"*", "status:" + member["status"].get<std::string>(),
                               "type:" + member["type"].get<std::string>()};
  if (const auto at = location(member); !at.is_null()) {
    out.push_back("country:" + at[1].get<std::string>());
    if (!at[2].get<std::string>().empty()) out.push_back("city:" + at[2].get<std::string>());
  }
  for (const auto& tag : member["tags"]) out.push_back("tag:" + tag.get<std::string>());
  return out;
}

std::string index_prefix(std::string_view dimension, ListSort sort) {
  return std::string(kIndex) + std::string(dimension) + "/" + std::string(sort_name(sort)) + "/";
}

// Every index key of the member.
std::vector<std::string> index_keys(const json& member) {
  std::vector<std::string> out;
  const auto& id = member["id"].get_ref<const std::string&>();
  for (const auto& dimension : dimensions(member)) {
    for (const auto sort : kSorts)
      out.push_back(index_prefix(dimension, sort) + ordered(sort_value(member, sort)) + id);
  }
  return out;
}

// What an index entry holds: the member's filter fields, so that a page filtered on more than
// its index key covers is read from the entries alone.
std::string filter_fields(const json& member) {
  const auto bytes = json::to_msgpack({{"status", member["status"]},
                                       {"type", member["type"]},
                                       {"at", location(member)},
                                       {"tags", member["tags"]},
                                       {"createdAt", member["createdAt"]}});
  return {bytes.begin(), bytes.end()};
}

// Writes the member and its index entries, replacing those of `before` (null for a new member).
// When no filter field changed, only the entries whose key changed are written: an event that
// moves no filter or sort field, like a login, writes the member alone.
void store_member(Rows& rows, const json& before, json after) {
  if (before == after) return;
  const auto fields = filter_fields(after);
  const bool same_fields = !before.is_null() && filter_fields(before) == fields;
  auto old_keys = before.is_null() ? std::vector<std::string>() : index_keys(before);
  auto new_keys = index_keys(after);
  std::sort(old_keys.begin(), old_keys.end());
  std::sort(new_keys.begin(), new_keys.end());
  std::vector<std::string> gone;
  std::set_difference(old_keys.begin(), old_keys.end(), new_keys.begin(), new_keys.end(),
                      std::back_inserter(gone));
  for (const auto& key : gone) rows.remove(key);
  if (same_fields) {
    std::vector<std::string> added;
    std::set_difference(new_keys.begin(), new_keys.end(), old_keys.begin(), old_keys.end(),
                        std::back_inserter(added));
    new_keys = std::move(added);
  }
  for (const auto& key : new_keys) rows.put(key, fields);
  const auto key = member_key(CustomerId(after["id"].get<std::string>()));
  rows.put_doc(key, std::move(after));
}

json new_member(const CustomerId& id, Timestamp at) {
  return {{"id", id.str()},
          {"status", "Active"},
          {"type", "Regular"},
          {"createdAt", millis(at)},
          {"addresses", json::array()},
          {"defaultAddress", nullptr},
          {"tags", json::array()},
          {"orders", 0},
          {"value", 0},
          {"lastOrder", nullptr},
          {"complaints", 0},
          {"open", 0},
          {"lastComplaint", nullptr},
          {"logins", 0},
          {"lastLogin", nullptr}};
}

// Changes the member for one customer event.
struct ApplyCustomer {
  const CustomerList& model;
  const Folded& event;
  json& member;

  void operator()(const customer::Registered&) {
    member = new_member(event.envelope.customer_id, event.envelope.at);
  }
  void operator()(const customer::StatusChanged& e) { member["status"] = e.to; }
  void operator()(const customer::TypeChanged& e) { member["type"] = e.to; }
  void operator()(const customer::TagsChanged& e) {
    json hashes = json::array();
    for (const auto& tag : e.tags) hashes.push_back(model.hash("tag", tag));
    member["tags"] = std::move(hashes);
  }
  void operator()(const customer::AddressAdded& e) {
    member["addresses"].push_back(json::array({e.address_id, e.postal.country, city(e.postal)}));
  }
  void operator()(const customer::AddressUpdated& e) {
    for (auto& address : member["addresses"]) {
      if (address[0] == json(e.address_id))
        address = {e.address_id, e.postal.country, city(e.postal)};
    }
  }
  void operator()(const customer::AddressRemoved& e) {
    auto& addresses = member["addresses"];
    addresses.erase(std::remove_if(addresses.begin(), addresses.end(),
                                   [&](const json& a) { return a[0] == json(e.address_id); }),
                    addresses.end());
    if (member["defaultAddress"] == json(e.address_id)) member["defaultAddress"] = nullptr;
  }
  void operator()(const customer::DefaultAddressSet& e) { member["defaultAddress"] = e.address_id; }
  void operator()(const customer::LoggedIn&) {
    member["logins"] = member["logins"].get<std::int64_t>() + 1;
    member["lastLogin"] = millis(event.envelope.at);
  }
  void operator()(const customer::Erased&) {
    member["status"] = "Erased";
    member["tags"] = json::array();
    for (auto& address : member["addresses"]) address[2] = "";
  }
  template <class Other>
  void operator()(const Other&) {}

  // The city's hash; empty when the address was read erased.
  std::string city(const PostalAddress& postal) const {
    return postal.city.empty() ? std::string() : model.hash("city", postal.city);
  }
};

void add(json& member, const char* field, std::int64_t delta) {
  member[field] = member[field].get<std::int64_t>() + delta;
}

// Changes the member, and the order's row, for one order event.
Result<void> apply_order(const Folded& event, const order::Event& body, Rows& rows, json& member) {
  const auto key = "o/" + event.envelope.stream;
  if (const auto* placed = std::get_if<order::Placed>(&body)) {
    add(member, "orders", 1);
    add(member, "value", placed->total_amount);
    member["lastOrder"] = millis(event.envelope.at);
    rows.put_doc(key, {{"amount", placed->total_amount}, {"counted", true}});
    return success();
  }
  if (!std::holds_alternative<order::Cancelled>(body) &&
      !std::holds_alternative<order::Returned>(body)) {
    return success();
  }
  auto stored = rows.get_doc(key);
  if (!stored) return stored.error();
  if (!*stored || !(**stored)["counted"].get<bool>()) return success();
  add(member, "value", -(**stored)["amount"].get<std::int64_t>());
  (**stored)["counted"] = false;
  rows.put_doc(key, **stored);
  return success();
}

// Whether a complaint event leaves the complaint open; nullopt when it does not say.
std::optional<bool> leaves_open(const complaint::Event& body) {
  if (std::holds_alternative<complaint::Registered>(body) ||
      std::holds_alternative<complaint::Reopened>(body)) {
    return true;
  }
  if (std::holds_alternative<complaint::Resolved>(body) ||
      std::holds_alternative<complaint::Closed>(body)) {
    return false;
  }
  if (const auto* changed = std::get_if<complaint::StatusChanged>(&body)) {
    return changed->to == complaint::Status::Open || changed->to == complaint::Status::InProgress;
  }
  return std::nullopt;
}

// Changes the member, and the complaint's row, for one complaint event.
Result<void> apply_complaint(const Folded& event, const complaint::Event& body, Rows& rows,
                             json& member) {
  const auto open = leaves_open(body);
  if (!open) return success();
  const auto key = "k/" + event.envelope.stream;
  bool was_open = false;
  if (std::holds_alternative<complaint::Registered>(body)) {
    add(member, "complaints", 1);
    member["lastComplaint"] = millis(event.envelope.at);
  } else {
    auto stored = rows.get_doc(key);
    if (!stored) return stored.error();
    if (!*stored) return success();
    was_open = (**stored)["open"].get<bool>();
  }
  if (*open != was_open) add(member, "open", *open ? 1 : -1);
  rows.put_doc(key, {{"open", *open}});
  return success();
}

std::optional<Timestamp> timestamp(const json& member, const char* field) {
  if (!member[field].is_number()) return std::nullopt;
  return Timestamp(std::chrono::milliseconds(member[field].get<std::int64_t>()));
}

// Whether filter fields (filter_fields()) pass every filter of `query` (already hashed: `city`,
// `tags`).
bool passes(const json& fields, const ListQuery& query, const std::string& city,
            const std::vector<std::string>& tags) {
  if (query.status && fields["status"] != *query.status) return false;
  for (const auto& excluded : query.excluded_statuses) {
    if (fields["status"] == excluded) return false;
  }
  if (query.type && fields["type"] != *query.type) return false;
  const auto& at = fields["at"];
  if (query.country && (at.is_null() || at[1] != *query.country)) return false;
  if (query.city && (at.is_null() || at[2] != city)) return false;
  for (const auto& tag : tags) {
    const auto& has = fields["tags"];
    if (std::find(has.begin(), has.end(), json(tag)) == has.end()) return false;
  }
  const auto created = number(fields, "createdAt");
  if (query.created_after && created < millis(*query.created_after)) return false;
  if (query.created_before && created >= millis(*query.created_before)) return false;
  return true;
}

}  // namespace

std::string CustomerList::hash(std::string_view kind, std::string_view value) const {
  return events::keyed_hash_hex(pepper_, std::string(kind) + ":" + ascii_lower(value))
      .substr(0, 32);
}

Result<void> CustomerList::evolve(const Folded& event, Rows& rows) const {
  const auto& customer = event.envelope.customer_id;
  auto stored = rows.get_doc(member_key(customer));
  if (!stored) return stored.error();
  const bool registration =
      std::holds_alternative<customer::Event>(event.event) &&
      std::holds_alternative<customer::Registered>(std::get<customer::Event>(event.event));
  if (!*stored && !registration) return success();  // no such member
  const json before = stored->value_or(json());
  json member = before;
  if (const auto* body = std::get_if<customer::Event>(&event.event)) {
    std::visit(ApplyCustomer{*this, event, member}, *body);
  } else if (const auto* body = std::get_if<order::Event>(&event.event)) {
    if (auto applied = apply_order(event, *body, rows, member); !applied) return applied;
  } else if (const auto* body = std::get_if<complaint::Event>(&event.event)) {
    if (auto applied = apply_complaint(event, *body, rows, member); !applied) return applied;
  }
  store_member(rows, before, std::move(member));
  return success();
}

Result<ListPage> CustomerList::list(const Snapshot& snapshot, const Namespace& ns,
                                    const ListQuery& query) const {
  const auto city = query.city ? hash("city", *query.city) : std::string();
  std::vector<std::string> tags;
  for (const auto& tag : query.tags) tags.push_back(hash("tag", tag));
  // The most selective dimension the query names; the other filters are checked on the filter
  // fields of each entry.
  std::string dimension = "*";
  if (query.city) {
    dimension = "city:" + city;
  } else if (!tags.empty()) {
    dimension = "tag:" + tags.front();
  } else if (query.country) {
    dimension = "country:" + *query.country;
  } else if (query.type) {
    dimension = "type:" + *query.type;
  } else if (query.status) {
    dimension = "status:" + *query.status;
  }
  const auto filters = static_cast<std::size_t>(query.status.has_value()) +
                       static_cast<std::size_t>(query.type.has_value()) +
                       static_cast<std::size_t>(query.country.has_value()) +
                       static_cast<std::size_t>(query.city.has_value()) + tags.size();
  const bool created_in_range = query.sort == ListSort::CreatedAt;
  // No index key covers an excluded status.
  const bool check_fields = filters > 1 || !query.excluded_statuses.empty() ||
                            (!created_in_range && (query.created_after || query.created_before));
  const auto prefix = index_prefix(dimension, query.sort);
  auto range = KeyRange::prefixed(prefix);
  if (query.sort == ListSort::CreatedAt) {
    if (query.created_after) range.from = prefix + ordered(millis(*query.created_after));
    if (query.created_before) range.to = prefix + ordered(millis(*query.created_before));
  }
  // Whether the entry passes the filters its key does not cover.
  const Wanted wanted = [&](std::string_view, std::string_view fields) -> Result<bool> {
    if (!check_fields) return true;
    auto parsed = parse_doc(fields);
    if (!parsed) return parsed.error();
    return passes(*parsed, query, city, tags);
  };
  auto keys = read_page(snapshot, ns, prefix, range,
                        PageRequest{query.descending, query.limit, query.after}, wanted);
  if (!keys) return keys.error();
  ListPage page;
  for (const auto& key : keys->keys) page.customers.emplace_back(key.substr(prefix.size() + 8));
  page.next = std::move(keys->next);
  return page;
}

Result<std::optional<CustomerStatistics>> CustomerList::statistics(
    const Snapshot& snapshot, const Namespace& ns, const CustomerId& customer) const {
  auto stored = snapshot.get(ns, member_key(customer));
  if (!stored) return stored.error();
  if (!*stored) return std::optional<CustomerStatistics>();
  auto member = parse_doc(**stored);
  if (!member) return member.error();
  const auto& m = *member;
  return std::optional<CustomerStatistics>(CustomerStatistics{
      m["orders"].get<std::int64_t>(), m["value"].get<std::int64_t>(),
      m["complaints"].get<std::int64_t>(), m["open"].get<std::int64_t>(), timestamp(m, "lastOrder"),
      timestamp(m, "lastComplaint"), m["logins"].get<std::int64_t>(), timestamp(m, "lastLogin")});
}

}  // namespace clientele::projections
