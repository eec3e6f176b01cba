#include "infra/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <string>

namespace clientele::infra {

void init_logging(spdlog::level::level_enum level) {
  auto logger = spdlog::stderr_logger_mt("clientele");
  // %v is the rest of the object, already JSON-escaped by log().
  logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})",
                      spdlog::pattern_time_type::utc);
  logger->set_level(level);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

void log(spdlog::level::level_enum level, std::string_view message, const nlohmann::json& fields) {
  nlohmann::ordered_json line = nlohmann::ordered_json::object();  // "msg" first, then the fields
  line["msg"] = message;
  if (fields.is_object()) {
    for (const auto& [key, value] : fields.items()) {
      if (key != "msg") line[key] = value;
    }
  }
  std::string body = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  // Drop the outer braces: the pattern supplies them around ts and level.
  spdlog::log(level, "{}", std::string_view(body).substr(1, body.size() - 2));
}

}  // namespace clientele::infra
