#include "projections/address_book.hpp"

#include <algorithm>
#include <string>

#include "events/json.hpp"

namespace clientele::projections {
namespace {

using nlohmann::json;

std::string book_prefix(const CustomerId& customer) {
  return "a/" + customer.str() + "/";
}

std::string address_key(const CustomerId& customer, const AddressId& address) {
  return book_prefix(customer) + address.str();
}

void set_fields(json& doc, const std::string& alias, AddressKind kind, const PostalAddress& p) {
  doc["alias"] = alias;
  doc["kind"] = kind;
  doc["recipientName"] = p.recipient_name;
  doc["phone"] = p.phone;
  doc["line1"] = p.line1;
  doc["line2"] = p.line2;
  doc["city"] = p.city;
  doc["state"] = p.state;
  doc["postalCode"] = p.postal_code;
  doc["country"] = p.country;
}

// Applies one customer event to the customer's address rows.
class Apply {
 public:
  Apply(const Folded& event, Rows& rows) : event_(event), rows_(rows) {}

  Result<void> operator()(const customer::AddressAdded& e) {
    json doc{{"addressId", e.address_id},
             {"isDefault", false},
             {"addedAt", event_.envelope.at},
             {"updatedAt", event_.envelope.at},
             {"added", event_.position.offset.value}};
    set_fields(doc, e.alias, e.kind, e.postal);
    rows_.put_doc(key(e.address_id), doc);
    return success();
  }
  Result<void> operator()(const customer::AddressUpdated& e) {
    auto stored = rows_.get_doc(key(e.address_id));
    if (!stored) return stored.error();
    if (!*stored) return success();
    set_fields(**stored, e.alias, e.kind, e.postal);
    (**stored)["updatedAt"] = event_.envelope.at;
    rows_.put_doc(key(e.address_id), **stored);
    return success();
  }
  Result<void> operator()(const customer::AddressRemoved& e) {
    rows_.remove(key(e.address_id));
    return success();
  }
  Result<void> operator()(const customer::DefaultAddressSet& e) {
    auto book = rows_.scan_docs(KeyRange::prefixed(book_prefix(customer())));
    if (!book) return book.error();
    for (auto& [k, doc] : *book) {
      const bool is_default = doc["addressId"] == json(e.address_id);
      if (doc["isDefault"] == is_default) continue;
      doc["isDefault"] = is_default;
      doc["updatedAt"] = event_.envelope.at;
      rows_.put_doc(k, doc);
    }
    return success();
  }
  Result<void> operator()(const customer::Erased&) {
    return rows_.remove_all(KeyRange::prefixed(book_prefix(customer())));
  }
  template <class Other>
  Result<void> operator()(const Other&) {
    return success();
  }

 private:
  const CustomerId& customer() const { return event_.envelope.customer_id; }
  std::string key(const AddressId& address) const { return address_key(customer(), address); }

  const Folded& event_;  // the event applied
  Rows& rows_;           // the model's rows
};

}  // namespace

Result<void> AddressBook::evolve(const Folded& event, Rows& rows) const {
  const auto* body = std::get_if<customer::Event>(&event.event);
  if (body == nullptr) return success();
  return std::visit(Apply(event, rows), *body);
}

Result<std::vector<nlohmann::json>> AddressBook::addresses(const Snapshot& snapshot,
                                                           const Namespace& ns,
                                                           const CustomerId& customer) const {
  auto book = scan_docs(snapshot, ns, KeyRange::prefixed(book_prefix(customer)));
  if (!book) return book.error();
  std::vector<json> out;
  for (auto& [key, doc] : *book) out.push_back(std::move(doc));
  std::sort(out.begin(), out.end(), [](const json& a, const json& b) {
    return a["added"].get<std::int64_t>() < b["added"].get<std::int64_t>();
  });
  return out;
}

}  // namespace clientele::projections
