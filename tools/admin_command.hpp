#pragma once
// `clientele admin create --email E`: bootstraps an administrator (DESIGN.md §6, §7). The
// password is read from standard input (one line), never from the command line, where other
// users of the machine could read it. The running service creates it when there is one (admin
// channel, command "admin.create"); otherwise this process opens the auth store itself. Either way
// commands::create_administrator does it.

#include <CLI/CLI.hpp>

#include "commands/administrators.hpp"
#include "tools/admin.hpp"
#include "tools/options.hpp"

namespace clientele::tools {

struct AdminOptions {
  StoreOptions store;
  std::string email;
};

// Adds "admin.create" {email, password} to `commands`: answers {userId, createdAt}. The three
// must outlive `commands`.
void add_administrator_commands(AdminCommands& commands, commands::AdministratorStore& store,
                                const commands::PasswordHasher& hasher,
                                const events::SecretKey& pepper);

CLI::App* add_admin_command(CLI::App& app, AdminOptions& options);
// Reads the password from stdin, creates the administrator, prints {userId, createdAt}. Returns
// the exit code: 1 when the administrator could not be created.
int run_admin(const AdminOptions& options);

}  // namespace clientele::tools
