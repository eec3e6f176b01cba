#pragma once
// The customer's application service (DESIGN.md §4): registration, with the email and username
// unique across partitions, and every other customer command, each run on the strand of the
// customer's partition (command_bus.hpp).

#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command_bus.hpp"
#include "domain/customer.hpp"

namespace clientele::commands {

struct Registration {
  CustomerId customer_id;
  std::string username;
  Outcome outcome;
};

class CustomerCommands {
 public:
  using Clock = std::function<Timestamp()>;
  using NewCustomerId = std::function<CustomerId()>;

  // `bus` must outlive the service.
  CustomerCommands(CommandBus& bus, Clock clock, NewCustomerId new_id);

  // Registers a customer: `command` without its customer id and username, which are chosen
  // here (a fresh `CUST_` id; the username `{first}{last}{n}`, lower-case letters and digits,
  // the lowest n not given before). errc::conflict (field "email") when the email belongs to
  // another customer — also when two registrations with one email run at the same time: exactly
  // one of them succeeds. A federated registration's `command.external_account` is reserved the
  // same way: errc::conflict (field "externalUserId") when it is linked, or being linked, to
  // another customer.
  Result<Registration> register_customer(customer::Register command, const Actor& actor,
                                         const Origin& origin = {});

  // Links the external account `link` names to `customer`. errc::conflict (field
  // "externalUserId") when it is linked to another customer — also when two links of one account
  // run at the same time: at most one of them succeeds; the rules' errors otherwise (errc::conflict
  // on "provider" when the customer has an account of that provider linked already).
  Result<Outcome> link_external_account(const CustomerId& customer,
                                        const customer::LinkExternalAccount& link,
                                        const Actor& actor, const Origin& origin = {});

  // Runs `command` for `customer` (see Strand::execute).
  Result<Outcome> execute(const CustomerId& customer, const customer::Command& command,
                          const Actor& actor, std::optional<std::uint64_t> expected_version = {},
                          const Origin& origin = {});

  // The commands a change of `customer` makes of the customer's current state: for changes that
  // merge into what is there (a part of the preferences). errc::invalid when the change does not
  // apply to that state.
  using Plan = std::function<Result<std::vector<customer::Command>>(const customer::State&)>;
  // Makes the commands of `plan` on the customer's strand, so that nothing changes the customer
  // in between, and runs them as one (Strand::execute of several commands).
  Result<Outcome> execute(const CustomerId& customer, const Plan& plan, const Actor& actor,
                          std::optional<std::uint64_t> expected_version = {},
                          const Origin& origin = {});

  // Whether `command` would be accepted for `customer` now: its decision's error, if any, without
  // appending anything (a later execute() may still be refused: the customer may change between).
  Result<void> check(const CustomerId& customer, const customer::Command& command,
                     const Actor& actor);

  // The customer's current state and version, as the write side knows it.
  Result<Loaded<customer::State>> load(const CustomerId& customer);

  // The customer an email address or a username names (an email has an '@'), or nullopt.
  Result<std::optional<CustomerId>> find_by_login(std::string_view email_or_username);
  // The key find_by_login looks `email_or_username` up by (a keyed hash).
  std::string login_key(std::string_view email_or_username) const;

  // The customer an E.164 phone number leads to (IdentityLookups::by_phone), or nullopt; and the
  // key it is looked up by.
  Result<std::optional<CustomerId>> find_by_phone(std::string_view phone);
  std::string phone_key(std::string_view phone) const;

  // The customer the account `subject` at `provider` is linked to
  // (IdentityLookups::by_external_account), or nullopt.
  Result<std::optional<CustomerId>> find_by_external_account(customer::Provider provider,
                                                             std::string_view subject);

  Timestamp now() const { return clock_(); }

 private:
  // Reserves `email` and a username from `stem` for one registration; releases them when gone.
  Result<std::string> reserve(const std::string& email_key, const std::string& stem);
  void release(const std::string& email_key, const std::string& username);
  // Reserves the external account `key` (IdentityLookups::external_key) for a link to `customer`
  // (nullopt: a customer yet to be registered); errc::conflict when it is linked to another
  // customer or reserved already. Releases it when gone.
  Result<void> reserve_external(const std::string& key, const std::optional<CustomerId>& customer);
  void release_external(const std::string& key);
  // After a command for `customer` whose outcome is unknown: true once the customer's strand has
  // caught up with the log since, so that the lookups say whether the events are in it. Until
  // then what the command reserved must stay reserved.
  bool settled(const CustomerId& customer);

  CommandBus& bus_;
  Clock clock_;
  NewCustomerId new_id_;
  std::mutex mu_;                    // guards the reservations
  std::set<std::string> emails_;     // email keys of registrations in progress
  std::set<std::string> usernames_;  // usernames of registrations in progress
  std::set<std::string> externals_;  // external account keys of links in progress
};

// The stem of a new customer's username: first and last name lower-cased, letters and digits
// only, at most 24 characters; "customer" when that leaves fewer than 2.
std::string username_stem_for(std::string_view first_name, std::string_view last_name);

}  // namespace clientele::commands
