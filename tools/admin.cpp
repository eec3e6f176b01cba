#include "tools/admin.hpp"

#include <array>

#include "infra/admin_socket.hpp"
#include "infra/logging.hpp"

namespace clientele::tools {
namespace {

using nlohmann::json;

constexpr std::array kCodes{errc::invalid,   errc::not_found,   errc::conflict,
                            errc::forbidden, errc::unavailable, errc::corrupt};

json answer_error(const Error& error) {
  return {{"ok", false},
          {"error",
           {{"code", to_string(error.code)}, {"field", error.field}, {"message", error.message}}}};
}

Error not_an_answer() {
  return make_error(errc::corrupt, "", "the service's answer is not an admin answer");
}

}  // namespace

void AdminCommands::add(std::string name, AdminCommand command) {
  commands_.insert_or_assign(std::move(name), std::move(command));
}

json AdminCommands::answer(const json& request) const {
  if (!request.is_object() || !request.contains("command") || !request["command"].is_string()) {
    return answer_error(
        make_error(errc::invalid, "command", "a request is a JSON object naming its command"));
  }
  const auto& name = request["command"].get_ref<const std::string&>();
  const auto command = commands_.find(name);
  if (command == commands_.end()) {
    return answer_error(make_error(errc::invalid, "command", "unknown command " + name));
  }
  try {
    auto result = command->second(request);
    if (!result) return answer_error(result.error());
    return {{"ok", true}, {"result", std::move(*result)}};
  } catch (const json::exception&) {  // a member of another type than the command reads
    return answer_error(make_error(errc::invalid, "", "the request's arguments are malformed"));
  }
}

Result<json> result_of(const json& answer) try {
  if (!answer.is_object() || !answer.contains("ok") || !answer["ok"].is_boolean()) {
    return not_an_answer();
  }
  if (answer["ok"].get<bool>()) {
    if (!answer.contains("result")) return not_an_answer();
    return answer["result"];
  }
  const auto error = answer.value("error", json::object());
  if (!error.is_object()) return not_an_answer();
  const auto code_name = error.value("code", std::string());
  for (const auto code : kCodes) {
    if (to_string(code) == code_name) {
      return make_error(code, error.value("field", std::string()),
                        error.value("message", std::string()));
    }
  }
  return not_an_answer();
} catch (const json::exception&) {  // a member of another type
  return not_an_answer();
}

Result<json> send_admin_request(const std::filesystem::path& data_dir, const json& request,
                                const std::function<Result<json>()>& locally) {
  const auto socket = infra::admin_socket_path(data_dir);
  const auto command = request.value("command", std::string());
  auto answer = infra::admin_call(socket, request);
  if (!answer && answer.error().code == errc::not_found) {
    infra::log_info("no service runs: executing the command here", {{"command", command}});
    return locally();
  }
  if (!answer) return answer.error();
  infra::log_info("the running service executed the command",
                  {{"command", command}, {"socket", socket.string()}});
  return result_of(*answer);
}

}  // namespace clientele::tools
