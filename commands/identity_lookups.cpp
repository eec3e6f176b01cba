#include "commands/identity_lookups.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "events/codec.hpp"

namespace clientele::commands {
namespace {

constexpr std::string_view kCustomerStream = "customer-";

std::uint64_t parse_number(std::string_view text) {
  std::uint64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

}  // namespace

std::string_view username_stem(std::string_view username, std::uint64_t* number) {
  auto end = username.size();
  while (end > 0 && username[end - 1] >= '0' && username[end - 1] <= '9') --end;
  if (number != nullptr) *number = parse_number(username.substr(end));
  return username.substr(0, end);
}

IdentityLookups::IdentityLookups(WriteModelStore& store, const events::SecretKey& pepper)
    : store_(store), pepper_(pepper) {}

std::string IdentityLookups::email_key(std::string_view email) const {
  return events::blind_index(pepper_, email);
}
std::string IdentityLookups::username_key(std::string_view username) const {
  return events::username_index(pepper_, username);
}
std::string IdentityLookups::stem_key(std::string_view stem) const {
  return events::username_index(pepper_, std::string("stem:").append(stem));
}
std::string IdentityLookups::external_key(customer::Provider provider,
                                          std::string_view subject) const {
  return events::keyed_hash_hex(
      pepper_, std::string("external:").append(to_string(provider)).append(":").append(subject));
}

std::string IdentityLookups::phone_key(std::string_view phone) const {
  return events::keyed_hash_hex(pepper_, std::string("phone:").append(phone));
}

Result<std::optional<CustomerId>> IdentityLookups::by_phone(std::string_view phone) {
  return customer_at(Lookup::phone, phone_key(phone));
}

Result<void> IdentityLookups::change_phone(const CustomerId& customer, nlohmann::json& list,
                                           const std::string& phone, WriteModelBatch& batch) {
  disown(customer, list, Lookup::phone, batch);
  forget_freed_phones(batch);
  if (phone.empty()) return success();
  const auto key = phone_key(phone);
  std::string holder;
  if (const auto it = phones_.find(key); it != phones_.end()) {
    holder = it->second;
  } else {
    auto stored = store_.find(Lookup::phone, key);
    if (!stored) return stored.error();
    holder = stored->value_or("");
  }
  if (!holder.empty() && holder != customer.str()) return success();  // another had it first
  phones_[key] = customer.str();
  own(customer, list, Lookup::phone, key, batch);
  return success();
}

void IdentityLookups::forget_freed_phones(const WriteModelBatch& batch) {
  for (const auto& del : batch.deletes) {
    if (del.lookup == Lookup::phone) phones_[del.key] = "";
  }
}

Result<std::optional<CustomerId>> IdentityLookups::customer_at(Lookup lookup,
                                                               const std::string& key) {
  auto found = store_.find(lookup, key);
  if (!found) return found.error();
  if (!*found) return std::optional<CustomerId>();
  return std::optional<CustomerId>(CustomerId(**found));
}

Result<std::optional<CustomerId>> IdentityLookups::by_email(std::string_view email) {
  return customer_at(Lookup::email, email_key(email));
}
Result<std::optional<CustomerId>> IdentityLookups::by_username(std::string_view username) {
  return customer_at(Lookup::username, username_key(username));
}
Result<std::optional<CustomerId>> IdentityLookups::by_external_account(customer::Provider provider,
                                                                       std::string_view subject) {
  return customer_at(Lookup::external_account, external_key(provider, subject));
}

Result<std::uint64_t> IdentityLookups::last_username_number(std::string_view stem) {
  const auto key = stem_key(stem);
  if (const auto it = stems_.find(key); it != stems_.end()) return it->second;
  auto found = store_.find(Lookup::username_counter, key);
  if (!found) return found.error();
  return *found ? parse_number(**found) : 0;
}

namespace {

// The key of `year`'s highest order number in `partition`: "2026/00007". Only the partition's
// strand writes it, so that no two strands race on one key.
std::string order_number_key(int year, events::Partition partition) {
  return fmt::format("{}/{:05}", year, partition.value);
}

}  // namespace

Result<std::uint64_t> IdentityLookups::last_order_number(int year) {
  const auto prefix = std::to_string(year) + "/";
  std::uint64_t highest = 0;
  auto scanned =
      store_.scan(Lookup::order_number, [&](std::string_view key, std::string_view value) {
        if (key.starts_with(prefix)) highest = std::max(highest, parse_number(std::string(value)));
      });
  if (!scanned) return scanned.error();
  return highest;
}

Result<std::uint64_t> IdentityLookups::last_order_number(int year, events::Partition partition) {
  if (const auto it = order_numbers_.find(year); it != order_numbers_.end()) return it->second;
  auto found = store_.find(Lookup::order_number, order_number_key(year, partition));
  if (!found) return found.error();
  return *found ? parse_number(**found) : 0;
}

Result<void> IdentityLookups::record_order_number(const events::Envelope& placed,
                                                  events::Partition partition,
                                                  WriteModelBatch& batch) {
  const auto id = placed.data.find("orderId");
  if (id == placed.data.end() || !id->is_string()) {
    return make_error(errc::corrupt, "orderId", "an order.placed has no order id");
  }
  const auto parsed = order::parse_order_id(OrderId(id->get<std::string>()));
  if (!parsed) return success();  // not a number of ours: nothing to skip
  auto last = last_order_number(parsed->year, partition);
  if (!last) return last.error();
  if (parsed->number <= *last) return success();
  order_numbers_[parsed->year] = parsed->number;
  batch.puts.push_back({Lookup::order_number, order_number_key(parsed->year, partition),
                        std::to_string(parsed->number)});
  return success();
}

Result<nlohmann::json*> IdentityLookups::owned(const CustomerId& customer) {
  if (auto it = owned_.find(customer.str()); it != owned_.end()) return &it->second;
  auto stored = store_.find(Lookup::owned, customer.str());
  if (!stored) return stored.error();
  auto list = *stored ? nlohmann::json::parse(**stored, nullptr, /*allow_exceptions=*/false)
                      : nlohmann::json::array();
  if (!list.is_array()) return make_error(errc::corrupt, "", "a customer's lookups are malformed");
  return &owned_.emplace(customer.str(), std::move(list)).first->second;
}

void IdentityLookups::own(const CustomerId& customer, nlohmann::json& list, Lookup lookup,
                          std::string key, WriteModelBatch& batch) {
  batch.puts.push_back({lookup, key, customer.str()});
  list.push_back({static_cast<int>(lookup), std::move(key)});
  batch.puts.push_back({Lookup::owned, customer.str(), list.dump()});
}

void IdentityLookups::disown(const CustomerId& customer, nlohmann::json& list, Lookup lookup,
                             WriteModelBatch& batch) {
  nlohmann::json kept = nlohmann::json::array();
  for (auto& entry : list) {
    if (entry.at(0).get<int>() == static_cast<int>(lookup)) {
      batch.deletes.push_back({lookup, entry.at(1).get<std::string>()});
    } else {
      kept.push_back(std::move(entry));
    }
  }
  list = std::move(kept);
  batch.puts.push_back({Lookup::owned, customer.str(), list.dump()});
}

Result<void> IdentityLookups::record(const events::Envelope& envelope, events::Partition partition,
                                     WriteModelBatch& batch) {
  if (envelope.type == "order.placed") return record_order_number(envelope, partition, batch);
  if (!envelope.stream.starts_with(kCustomerStream)) return success();
  const auto& customer = envelope.customer_id;
  if (envelope.type == "customer.erased") {
    auto list = owned(customer);
    if (!list) return list.error();
    for (const auto& entry : **list) {
      batch.deletes.push_back(
          {static_cast<Lookup>(entry.at(0).get<int>()), entry.at(1).get<std::string>()});
    }
    (*list)->clear();
    batch.deletes.push_back({Lookup::owned, customer.str()});
    forget_freed_phones(batch);
    return success();
  }
  if (envelope.erased) return success();  // nothing personal left to look up by
  const bool relevant = envelope.type == "customer.registered" ||
                        envelope.type == "customer.email-changed" ||
                        envelope.type == "customer.profile-updated" ||
                        envelope.type == "customer.external-account-linked";
  if (!relevant) return success();
  auto event = events::decode<customer::Event>(envelope);
  if (!event) return event.error();
  auto list = owned(customer);
  if (!list) return list.error();

  if (const auto* registered = std::get_if<customer::Registered>(&*event)) {
    own(customer, **list, Lookup::email, email_key(registered->email), batch);
    own(customer, **list, Lookup::username, username_key(registered->username), batch);
    std::uint64_t number = 0;
    const auto key = stem_key(username_stem(registered->username, &number));
    auto last = last_username_number(username_stem(registered->username));
    if (!last) return last.error();
    if (number > *last) {
      stems_[key] = number;
      batch.puts.push_back({Lookup::username_counter, key, std::to_string(number)});
    }
    return change_phone(customer, **list, registered->phone, batch);
  } else if (const auto* changed = std::get_if<customer::EmailChanged>(&*event)) {
    disown(customer, **list, Lookup::email, batch);
    own(customer, **list, Lookup::email, email_key(changed->email), batch);
  } else if (const auto* updated = std::get_if<customer::ProfileUpdated>(&*event)) {
    if (updated->phone) return change_phone(customer, **list, *updated->phone, batch);
  } else if (const auto* linked = std::get_if<customer::ExternalAccountLinked>(&*event)) {
    own(customer, **list, Lookup::external_account,
        external_key(linked->provider, linked->external_user_id), batch);
  }
  return success();
}

}  // namespace clientele::commands
