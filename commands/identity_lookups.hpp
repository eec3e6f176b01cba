#pragma once
// The write side's global lookups (write_model.hpp): a customer by email, by username, by
// external account, and the numbers already given to a username's stem, keyed by keyed hashes
// under the pepper; a customer's entries are listed under its id, so that erasure removes every
// one of them even when the customer's personal fields can no longer be read. Also the highest
// order number placed per year in each partition (keyed by year and partition: no customer's).

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "commands/write_model.hpp"
#include "domain/customer.hpp"
#include "domain/ids.hpp"
#include "events/crypto.hpp"
#include "events/envelope.hpp"

namespace clientele::commands {

class IdentityLookups {
 public:
  // Both must outlive this object.
  IdentityLookups(WriteModelStore& store, const events::SecretKey& pepper);

  // Adds to `batch` what `envelope` (opened: personal fields in the clear, or erased) changes in
  // the lookups. Events of one batch must be recorded through one IdentityLookups, in log order.
  Result<void> record(const events::Envelope& envelope, events::Partition partition,
                      WriteModelBatch& batch);

  Result<std::optional<CustomerId>> by_email(std::string_view email);
  Result<std::optional<CustomerId>> by_username(std::string_view username);
  Result<std::optional<CustomerId>> by_external_account(customer::Provider provider,
                                                        std::string_view subject);
  // The customer a phone number leads to: of the customers who have it, the first who took it.
  Result<std::optional<CustomerId>> by_phone(std::string_view phone);
  // The highest number given to usernames made of `stem` (0: none yet).
  Result<std::uint64_t> last_username_number(std::string_view stem);
  // The highest number of an order id placed in `year` in any partition (0: none yet); from the
  // store, not the batch.
  Result<std::uint64_t> last_order_number(int year);

  // The keys of each lookup (hashes; exposed for the registration's reservations).
  std::string email_key(std::string_view email) const;
  std::string username_key(std::string_view username) const;
  std::string stem_key(std::string_view stem) const;
  std::string external_key(customer::Provider provider, std::string_view subject) const;
  std::string phone_key(std::string_view phone) const;

 private:
  Result<std::optional<CustomerId>> customer_at(Lookup lookup, const std::string& key);
  // The lookups `customer` holds, as changed by the batch so far.
  Result<nlohmann::json*> owned(const CustomerId& customer);
  void own(const CustomerId& customer, nlohmann::json& list, Lookup lookup, std::string key,
           WriteModelBatch& batch);
  void disown(const CustomerId& customer, nlohmann::json& list, Lookup lookup,
              WriteModelBatch& batch);
  // The customer's phone number is now `phone` (empty: none): it leads to the customer unless
  // another customer had it first.
  Result<void> change_phone(const CustomerId& customer, nlohmann::json& list,
                            const std::string& phone, WriteModelBatch& batch);
  // The highest number of an order id placed in `year` in `partition`, as changed by the batch.
  Result<std::uint64_t> last_order_number(int year, events::Partition partition);
  // Raises the year's highest order number in `partition` (the one this instance records for) to
  // that of the order `placed` (an order.placed).
  Result<void> record_order_number(const events::Envelope& placed, events::Partition partition,
                                   WriteModelBatch& batch);
  // Notes in the batch overlay that the phone keys `batch` deletes are free.
  void forget_freed_phones(const WriteModelBatch& batch);

  WriteModelStore& store_;
  const events::SecretKey& pepper_;
  std::map<std::string, nlohmann::json> owned_;  // customer id -> [[lookup, key], ...]
  std::map<std::string, std::uint64_t> stems_;   // stem key -> highest number, in this batch
  std::map<std::string, std::string> phones_;    // phone key -> holder ("": none), in this batch
  // year -> highest order number in the partition recorded for, in this batch
  std::map<int, std::uint64_t> order_numbers_;
};

// "ada" from "ada12": a username without its number.
std::string_view username_stem(std::string_view username, std::uint64_t* number = nullptr);

}  // namespace clientele::commands
