#include "infra/partitioner.hpp"

#include <librdkafka/rdkafka.h>

namespace clientele::infra {

std::int32_t murmur2_partition(std::string_view key, std::int32_t partitions) {
  // The partitioner uses neither the topic nor the opaques.
  return rd_kafka_msg_partitioner_murmur2(nullptr, key.data(), key.size(), partitions, nullptr,
                                          nullptr);
}

}  // namespace clientele::infra
