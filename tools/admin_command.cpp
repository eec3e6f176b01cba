#include "tools/admin_command.hpp"

#include <iostream>
#include <string>

#include "events/json.hpp"
#include "infra/clock.hpp"
#include "infra/logging.hpp"
#include "infra/rocksdb_auth_store.hpp"
#include "tools/accounts.hpp"
#include "tools/installation.hpp"

namespace clientele::tools {
namespace {

using nlohmann::json;

constexpr std::string_view kCreate = "admin.create";

// `admin create` in this process: opens the auth store (DATA/auth) and answers the request as the
// service does.
Result<json> create_here(const AdminOptions& options, const json& request) {
  auto secrets = load_installation_secrets(options.store);
  if (!secrets) return secrets.error();
  auto store =
      infra::RocksDbAuthStore::open(options.store.data_path() / "auth",
                                    events::derive_key(secrets->pepper, kOneTimeCodesPurpose));
  if (!store) return store.error();
  auto hasher = commands::PasswordHasher::create({});
  if (!hasher) return hasher.error();
  AdminCommands commands;
  add_administrator_commands(commands, **store, *hasher, secrets->pepper);
  return result_of(commands.answer(request));
}

}  // namespace

void add_administrator_commands(AdminCommands& commands, commands::AdministratorStore& store,
                                const commands::PasswordHasher& hasher,
                                const events::SecretKey& pepper) {
  commands.add(std::string(kCreate), [&](const json& request) -> Result<json> {
    auto made = commands::create_administrator(
        store, hasher, pepper, request.at("email").get<std::string>(),
        request.at("password").get<std::string>(), infra::utc_now());
    if (!made) return made.error();
    return json{{"userId", made->id.str()}, {"createdAt", made->created_at}};
  });
}

CLI::App* add_admin_command(CLI::App& app, AdminOptions& options) {
  auto* admin = app.add_subcommand("admin", "Administrators");
  admin->require_subcommand(1);
  auto* create = admin->add_subcommand(
      "create",
      "Create an administrator; the password is read from standard input (one line). The running "
      "service creates it when there is one, else this command.");
  add_store_options(*create, options.store);
  create->add_option("--email", options.email, "The administrator's email (the login name)")
      ->required();
  return admin;
}

int run_admin(const AdminOptions& options) {
  std::string password;
  if (!std::getline(std::cin, password)) {
    infra::log_error("cannot create the administrator",
                     {{"error", "give the password on standard input"}});
    return 1;
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  const json request{{"command", kCreate}, {"email", options.email}, {"password", password}};
  auto made = send_admin_request(options.store.data_path(), request,
                                 [&] { return create_here(options, request); });
  if (!made) {
    infra::log_error("cannot create the administrator",
                     {{"error", made.error().message}, {"field", made.error().field}});
    return 1;
  }
  std::cout << made->dump() << std::endl;
  return 0;
}

}  // namespace clientele::tools
