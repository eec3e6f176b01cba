#include "commands/customer_commands.hpp"

#include <algorithm>

#include "commands/identity_lookups.hpp"
#include "domain/validation.hpp"

namespace clientele::commands {
namespace {

constexpr std::size_t kMaxStem = 24;  // leaves room for the number within 30 characters
constexpr int kIdAttempts = 4;        // fresh ids to try when one is taken (2^32 ids)

bool is_letter_or_digit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

}  // namespace

std::string username_stem_for(std::string_view first_name, std::string_view last_name) {
  std::string stem;
  for (const char c : ascii_lower(std::string(first_name).append(last_name))) {
    if (is_letter_or_digit(c) && stem.size() < kMaxStem) stem.push_back(c);
  }
  // A number would be read as the username's own: the stem ends with a letter.
  while (!stem.empty() && stem.back() >= '0' && stem.back() <= '9') stem.pop_back();
  return stem.size() < 2 ? "customer" : stem;
}

CustomerCommands::CustomerCommands(CommandBus& bus, Clock clock, NewCustomerId new_id)
    : bus_(bus), clock_(std::move(clock)), new_id_(std::move(new_id)) {}

Result<std::string> CustomerCommands::reserve(const std::string& email_key,
                                              const std::string& stem) {
  IdentityLookups lookups(bus_.store(), bus_.pepper());
  std::lock_guard lock(mu_);
  const auto taken = [] { return make_error(errc::conflict, "email", "is already registered"); };
  if (emails_.contains(email_key)) return taken();
  auto owner = bus_.store().find(Lookup::email, email_key);
  if (!owner) return owner.error();
  if (*owner) return taken();

  auto last = lookups.last_username_number(stem);
  if (!last) return last.error();
  std::uint64_t number = *last;
  for (const auto& reserved : usernames_) {
    std::uint64_t n = 0;
    if (username_stem(reserved, &n) == stem) number = std::max(number, n);
  }
  for (;;) {
    auto candidate = stem + std::to_string(++number);
    auto holder = lookups.by_username(candidate);
    if (!holder) return holder.error();
    if (*holder) continue;  // given out of order (by an older numbering): skip it
    emails_.insert(email_key);
    usernames_.insert(candidate);
    return candidate;
  }
}

void CustomerCommands::release(const std::string& email_key, const std::string& username) {
  std::lock_guard lock(mu_);
  emails_.erase(email_key);
  usernames_.erase(username);
}

Result<Registration> CustomerCommands::register_customer(customer::Register command,
                                                         const Actor& actor, const Origin& origin) {
  if (auto valid = check_email("email", command.email); !valid) return valid.error();
  const IdentityLookups lookups(bus_.store(), bus_.pepper());
  const auto email_key = lookups.email_key(command.email);
  // A federated registration links its external account in the same append: reserved too.
  std::optional<std::string> external_key;
  if (const auto& link = command.external_account) {
    external_key = lookups.external_key(link->provider, link->external_user_id);
    if (auto reserved = reserve_external(*external_key, std::nullopt); !reserved) {
      return reserved.error();
    }
  }
  const auto release_external_key = [&] {
    if (external_key) release_external(*external_key);
  };
  auto username = reserve(email_key, username_stem_for(command.first_name, command.last_name));
  if (!username) {
    release_external_key();
    return username.error();
  }
  command.username = *username;

  Result<Outcome> outcome = make_error(errc::conflict, "customerId", "no free customer id");
  for (int attempt = 0; attempt < kIdAttempts; ++attempt) {
    command.customer_id = new_id_();
    const Context ctx{clock_(), actor};
    outcome = bus_.run(command.customer_id, [&](Strand& strand) {
      return strand.execute(command.customer_id, command, ctx, /*expected_version=*/0, origin);
    });
    // A taken id is the only conflict left: the email and the username are reserved.
    if (outcome || outcome.error().code != errc::conflict) break;
  }
  // The events may be in the log after all: keep the reservation (the email stays taken) unless
  // the lookups can tell.
  if (!outcome && outcome.error().code == errc::unavailable && !settled(command.customer_id)) {
    return outcome.error();
  }
  release(email_key, command.username);
  release_external_key();
  if (!outcome) return outcome.error();
  return Registration{command.customer_id, command.username, std::move(*outcome)};
}

bool CustomerCommands::settled(const CustomerId& customer) {
  return bus_.run(customer, [](Strand&) -> Result<void> { return success(); }).ok();
}

Result<void> CustomerCommands::reserve_external(const std::string& key,
                                                const std::optional<CustomerId>& customer) {
  const auto taken = [] {
    return make_error(errc::conflict, "externalUserId",
                      "is linked to another customer, or being linked");
  };
  std::lock_guard lock(mu_);
  if (externals_.contains(key)) return taken();
  auto owner = bus_.store().find(Lookup::external_account, key);
  if (!owner) return owner.error();
  if (*owner && (!customer || **owner != customer->str())) return taken();
  externals_.insert(key);
  return success();
}

void CustomerCommands::release_external(const std::string& key) {
  std::lock_guard lock(mu_);
  externals_.erase(key);
}

Result<Outcome> CustomerCommands::link_external_account(const CustomerId& customer,
                                                        const customer::LinkExternalAccount& link,
                                                        const Actor& actor, const Origin& origin) {
  const auto key = IdentityLookups(bus_.store(), bus_.pepper())
                       .external_key(link.provider, link.external_user_id);
  if (auto reserved = reserve_external(key, customer); !reserved) return reserved.error();
  auto linked = execute(customer, link, actor, std::nullopt, origin);
  // As for a registration: an unknown outcome keeps the account reserved until the lookups tell.
  if (!linked && linked.error().code == errc::unavailable && !settled(customer)) return linked;
  release_external(key);
  return linked;
}

Result<Outcome> CustomerCommands::execute(const CustomerId& customer,
                                          const customer::Command& command, const Actor& actor,
                                          std::optional<std::uint64_t> expected_version,
                                          const Origin& origin) {
  const Context ctx{clock_(), actor};
  return bus_.run(customer, [&](Strand& strand) {
    return strand.execute(customer, command, ctx, expected_version, origin);
  });
}

Result<Outcome> CustomerCommands::execute(const CustomerId& customer, const Plan& plan,
                                          const Actor& actor,
                                          std::optional<std::uint64_t> expected_version,
                                          const Origin& origin) {
  const Context ctx{clock_(), actor};
  return bus_.run(customer, [&](Strand& strand) -> Result<Outcome> {
    auto loaded = strand.customer(customer);
    if (!loaded) return loaded.error();
    auto commands = plan(loaded->state);
    if (!commands) return commands.error();
    return strand.execute(customer, *commands, ctx, expected_version, origin);
  });
}

Result<void> CustomerCommands::check(const CustomerId& customer, const customer::Command& command,
                                     const Actor& actor) {
  auto loaded = load(customer);
  if (!loaded) return loaded.error();
  auto decided = customer::decide(command, loaded->state, Context{clock_(), actor});
  if (!decided) return decided.error();
  return success();
}

Result<Loaded<customer::State>> CustomerCommands::load(const CustomerId& customer) {
  return bus_.run(customer, [&](Strand& strand) { return strand.customer(customer); });
}

namespace {

bool is_email(std::string_view email_or_username) {
  return email_or_username.find('@') != std::string_view::npos;
}

}  // namespace

Result<std::optional<CustomerId>> CustomerCommands::find_by_login(
    std::string_view email_or_username) {
  IdentityLookups lookups(bus_.store(), bus_.pepper());
  return is_email(email_or_username) ? lookups.by_email(email_or_username)
                                     : lookups.by_username(email_or_username);
}

std::string CustomerCommands::login_key(std::string_view email_or_username) const {
  const IdentityLookups lookups(bus_.store(), bus_.pepper());
  return is_email(email_or_username) ? lookups.email_key(email_or_username)
                                     : lookups.username_key(email_or_username);
}

Result<std::optional<CustomerId>> CustomerCommands::find_by_phone(std::string_view phone) {
  IdentityLookups lookups(bus_.store(), bus_.pepper());
  return lookups.by_phone(phone);
}

std::string CustomerCommands::phone_key(std::string_view phone) const {
  return IdentityLookups(bus_.store(), bus_.pepper()).phone_key(phone);
}

Result<std::optional<CustomerId>> CustomerCommands::find_by_external_account(
    customer::Provider provider, std::string_view subject) {
  IdentityLookups lookups(bus_.store(), bus_.pepper());
  return lookups.by_external_account(provider, subject);
}

}  // namespace clientele::commands
