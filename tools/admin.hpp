#pragma once
// The requests the running service answers on its admin channel (infra/admin_socket.hpp,
// DESIGN.md §7), and how the subcommands that change state send them.
//
//   request: {"command":"<name>", ...its arguments}
//   answer:  {"ok":true,"result":...} or
//            {"ok":false,"error":{"code":"invalid","field":"...","message":"..."}}
//
// A subcommand sends its request to the service when one runs on the installation. When none
// does, it opens the stores itself and answers the request in this process through the same
// AdminCommands, with the same command: the same code executes it either way.

#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "domain/result.hpp"

namespace clientele::tools {

// Executes one command: `request` is the whole request; the result goes into the answer.
using AdminCommand = std::function<Result<nlohmann::json>(const nlohmann::json& request)>;

// The commands one process answers. answer() is thread-safe (if the commands are) once every
// command is added.
class AdminCommands {
 public:
  // Adds `command` under `name`.
  void add(std::string name, AdminCommand command);

  // The answer to `request`: the result or the error of the command it names. errc::invalid for
  // a request that is not an object naming a known command.
  nlohmann::json answer(const nlohmann::json& request) const;

 private:
  std::map<std::string, AdminCommand, std::less<>> commands_;  // by name
};

// The result an answer carries, or its error; errc::corrupt for an answer of another shape.
Result<nlohmann::json> result_of(const nlohmann::json& answer);

// Hands `request` to the service running on the installation in `data_dir` and returns the
// result of its answer; when no service runs there, returns what `locally` returns instead (it
// opens the stores and answers the request with AdminCommands). Logs which of the two answered.
// errc::unavailable when the service took the request but did not answer: the outcome is unknown.
Result<nlohmann::json> send_admin_request(const std::filesystem::path& data_dir,
                                          const nlohmann::json& request,
                                          const std::function<Result<nlohmann::json>()>& locally);

}  // namespace clientele::tools
