#include "projections/complaints.hpp"

#include <utility>

#include "events/codec.hpp"
#include "events/json.hpp"

namespace clientele::projections {
namespace {

using nlohmann::json;

std::string complaint_key(std::string_view complaint) {
  return "m/" + std::string(complaint);
}
std::string comment_prefix(std::string_view complaint) {
  return "n/" + std::string(complaint) + "/";
}
std::string history_prefix(std::string_view complaint) {
  return "h/" + std::string(complaint) + "/";
}
std::string customer_prefix(std::string_view customer) {
  return "c/" + std::string(customer) + "/";
}
std::string dimension_prefix(std::string_view dimension) {
  return "s/" + std::string(dimension) + "/";
}

// The complaint id of a complaint's stream, or nullopt for another aggregate's.
std::optional<std::string> complaint_of(const Folded& event) {
  static const std::string prefix = events::stream_name(ComplaintId());  // "complaint-"
  const auto& stream = event.envelope.stream;
  if (!stream.starts_with(prefix)) return std::nullopt;
  return stream.substr(prefix.size());
}

// A personal text as the rows hold it: null when the event was read erased.
json personal(const Folded& event, const std::string& text) {
  return event.envelope.erased ? json() : json(text);
}

// The index entries of a complaint document: the key of each (by creation time) and the value
// they all hold.
std::pair<std::vector<std::string>, json> indexes(const json& doc) {
  const auto& id = doc["complaintId"].get_ref<const std::string&>();
  const auto& customer = doc["customerId"].get_ref<const std::string&>();
  const auto& status = doc["status"].get_ref<const std::string&>();
  const auto& category = doc["category"].get_ref<const std::string&>();
  const auto created = ordered(doc["created"].get<std::int64_t>()) + id;
  std::vector<std::string> keys{customer_prefix(customer) + created,
                                dimension_prefix("*") + created,
                                dimension_prefix("status:" + status) + created,
                                dimension_prefix("category:" + category) + created};
  if (doc["assignedTo"].is_string()) {
    keys.push_back(dimension_prefix("assignee:" + doc["assignedTo"].get<std::string>()) + created);
  }
  return {std::move(keys), json{{"customerId", customer},
                                {"status", status},
                                {"category", category},
                                {"assignedTo", doc["assignedTo"]}}};
}

// What a complaint event changes in the complaint document besides its history.
struct Change {
  const Folded& event;
  const std::string& id;  // the complaint's
  json& doc;
  Rows& rows;
  json notes;  // the history entry's notes (personal), set by the event

  void operator()(const complaint::Registered& e) {
    doc = {{"complaintId", e.complaint_id},
           {"customerId", e.customer_id},
           {"orderId", e.order_id ? json(*e.order_id) : json()},
           {"category", e.category},
           {"subject", personal(event, e.subject)},
           {"description", personal(event, e.description)},
           {"status", complaint::Status::Open},
           {"assignedTo", nullptr},
           {"resolutionNotes", nullptr},
           {"resolvedAt", nullptr},
           {"closedAt", nullptr},
           {"reopenedCount", 0},
           {"createdAt", event.envelope.at},
           {"created", millis(event.envelope.at)}};
  }
  void operator()(const complaint::CommentAdded& e) {
    rows.put_doc(comment_prefix(id) + ordered(static_cast<std::int64_t>(event.envelope.seq.value)),
                 {{"commentId", e.comment_id},
                  {"userId", e.author},
                  {"userRole", e.author_role},
                  {"comment", personal(event, e.comment)},
                  {"isInternal", e.is_internal},
                  {"createdAt", event.envelope.at}});
  }
  void operator()(const complaint::Assigned& e) { doc["assignedTo"] = e.assignee; }
  void operator()(const complaint::StatusChanged& e) { doc["status"] = e.to; }
  void operator()(const complaint::Resolved& e) {
    doc["status"] = complaint::Status::Resolved;
    doc["resolutionNotes"] = notes = personal(event, e.resolution_notes);
    doc["resolvedAt"] = event.envelope.at;
    doc["closedAt"] = nullptr;
  }
  void operator()(const complaint::Closed&) {
    doc["status"] = complaint::Status::Closed;
    doc["closedAt"] = event.envelope.at;
  }
  void operator()(const complaint::Reopened& e) {
    doc["status"] = complaint::Status::Open;
    doc["reopenedCount"] = doc["reopenedCount"].get<std::int64_t>() + 1;
    doc["closedAt"] = nullptr;
    notes = personal(event, e.reason);
  }
};

Result<void> apply_complaint(const Folded& event, const complaint::Event& body, Rows& rows) {
  const auto id = complaint_of(event);
  if (!id) return success();
  auto stored = rows.get_doc(complaint_key(*id));
  if (!stored) return stored.error();
  const bool registration = std::holds_alternative<complaint::Registered>(body);
  if (!*stored && !registration) return success();  // no such complaint
  const json before = stored->value_or(json());
  json doc = before;
  Change change{event, *id, doc, rows, json()};
  std::visit(change, body);
  doc["updatedAt"] = event.envelope.at;
  doc["version"] = event.envelope.seq.value;

  if (!before.is_null()) {
    for (const auto& key : indexes(before).first) rows.remove(key);
  }
  const auto [keys, value] = indexes(doc);
  for (const auto& key : keys) rows.put_doc(key, value);
  rows.put_doc(history_prefix(*id) + ordered(static_cast<std::int64_t>(event.envelope.seq.value)),
               {{"event", event.envelope.type},
                {"from", registration ? json() : before["status"]},
                {"to", doc["status"]},
                {"notes", change.notes},
                {"assignedTo", doc["assignedTo"]},
                {"actor", {{"id", event.envelope.actor.id}, {"role", event.envelope.actor.role}}},
                {"at", event.envelope.at}});
  rows.put_doc(complaint_key(*id), std::move(doc));
  return success();
}

// Sets `field` of every document of `range` to null where it is not null already.
Result<void> clear_field(Rows& rows, const KeyRange& range, const char* field) {
  auto entries = rows.scan_docs(range);
  if (!entries) return entries.error();
  for (auto& [key, doc] : *entries) {
    if (doc[field].is_null()) continue;
    doc[field] = nullptr;
    rows.put_doc(key, std::move(doc));
  }
  return success();
}

// Removes every personal value of the customer's complaints.
Result<void> erase_customer(const CustomerId& customer, Rows& rows) {
  const auto prefix = customer_prefix(customer.str());
  auto entries = rows.scan_docs(KeyRange::prefixed(prefix));
  if (!entries) return entries.error();
  for (const auto& [key, value] : *entries) {
    const auto id = key.substr(prefix.size() + 8);
    auto stored = rows.get_doc(complaint_key(id));
    if (!stored) return stored.error();
    if (!*stored) continue;
    auto& complaint = **stored;
    for (const char* field : {"subject", "description", "resolutionNotes"}) {
      complaint[field] = nullptr;
    }
    rows.put_doc(complaint_key(id), std::move(complaint));
    if (auto r = clear_field(rows, KeyRange::prefixed(comment_prefix(id)), "comment"); !r) {
      return r;
    }
    if (auto r = clear_field(rows, KeyRange::prefixed(history_prefix(id)), "notes"); !r) return r;
  }
  return success();
}

// The values of the documents of `range`, in key order.
Result<std::vector<json>> values(const Snapshot& snapshot, const Namespace& ns,
                                 const KeyRange& range) {
  auto entries = scan_docs(snapshot, ns, range);
  if (!entries) return entries.error();
  std::vector<json> out;
  out.reserve(entries->size());
  for (auto& [key, doc] : *entries) out.push_back(std::move(doc));
  return out;
}

// The index a query reads: the customer's when one is named, else the most selective dimension
// named, else every complaint's. The other filters are checked on the entries.
std::string index_of(const ComplaintQuery& query) {
  if (query.customer) return customer_prefix(query.customer->str());
  if (query.assignee) return dimension_prefix("assignee:" + query.assignee->str());
  if (query.status) return dimension_prefix("status:" + *query.status);
  if (query.category) return dimension_prefix("category:" + *query.category);
  return dimension_prefix("*");
}

bool matches(const json& value, const ComplaintQuery& query) {
  return (!query.status || value["status"] == *query.status) &&
         (!query.category || value["category"] == *query.category) &&
         (!query.assignee || value["assignedTo"] == query.assignee->str()) &&
         (!query.customer || value["customerId"] == query.customer->str());
}

}  // namespace

Result<void> Complaints::evolve(const Folded& event, Rows& rows) const {
  if (const auto* body = std::get_if<complaint::Event>(&event.event)) {
    return apply_complaint(event, *body, rows);
  }
  const auto* body = std::get_if<customer::Event>(&event.event);
  if (body != nullptr && std::holds_alternative<customer::Erased>(*body)) {
    return erase_customer(event.envelope.customer_id, rows);
  }
  return success();
}

Result<std::optional<nlohmann::json>> Complaints::find(const Snapshot& snapshot,
                                                       const Namespace& ns,
                                                       const ComplaintId& complaint) const {
  auto stored = snapshot.get(ns, complaint_key(complaint.str()));
  if (!stored) return stored.error();
  if (!*stored) return std::optional<json>();
  auto doc = parse_doc(**stored);
  if (!doc) return doc.error();
  return std::optional<json>(std::move(*doc));
}

Result<std::vector<nlohmann::json>> Complaints::comments(const Snapshot& snapshot,
                                                         const Namespace& ns,
                                                         const ComplaintId& complaint,
                                                         bool with_internal) const {
  auto all = values(snapshot, ns, KeyRange::prefixed(comment_prefix(complaint.str())));
  if (!all) return all.error();
  if (with_internal) return all;
  std::erase_if(*all, [](const json& comment) { return comment["isInternal"].get<bool>(); });
  return all;
}

Result<std::vector<nlohmann::json>> Complaints::history(const Snapshot& snapshot,
                                                        const Namespace& ns,
                                                        const ComplaintId& complaint) const {
  return values(snapshot, ns, KeyRange::prefixed(history_prefix(complaint.str())));
}

Result<ComplaintPage> Complaints::list(const Snapshot& snapshot, const Namespace& ns,
                                       const ComplaintQuery& query) const {
  const auto prefix = index_of(query);
  auto range = KeyRange::prefixed(prefix);
  if (query.created_after) range.from = prefix + ordered(millis(*query.created_after));
  if (query.created_before) range.to = prefix + ordered(millis(*query.created_before));
  const Wanted wanted = [&](std::string_view, std::string_view value) -> Result<bool> {
    auto fields = parse_doc(value);
    if (!fields) return fields.error();
    return matches(*fields, query);
  };
  auto keys = read_page(snapshot, ns, prefix, range, query.page, wanted);
  if (!keys) return keys.error();
  ComplaintPage out;
  out.next = std::move(keys->next);
  for (const auto& key : keys->keys) {
    auto found = find(snapshot, ns, ComplaintId(key.substr(prefix.size() + 8)));
    if (!found) return found.error();
    if (*found) out.complaints.push_back(std::move(**found));
  }
  return out;
}

}  // namespace clientele::projections
