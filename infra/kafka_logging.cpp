#include "infra/kafka_logging.hpp"

#include "infra/logging.hpp"

namespace clientele::infra {

void forward_kafka_log(const rd_kafka_t* client, int level, const char* facility,
                       const char* message) {
  const auto severity = level <= 3   ? spdlog::level::err
                        : level == 4 ? spdlog::level::warn
                                     : spdlog::level::debug;
  log(severity, "librdkafka",
      {{"client", rd_kafka_name(client)}, {"facility", facility}, {"detail", message}});
}

}  // namespace clientele::infra
