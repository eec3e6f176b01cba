#pragma once
// The partition of a key, computed as Kafka's Java client does (murmur2, positive, modulo the
// partition count), through librdkafka's own implementation so that the embedded log and Kafka
// always agree.

#include <cstdint>
#include <string_view>

namespace clientele::infra {

// `partitions` must be at least 1.
std::int32_t murmur2_partition(std::string_view key, std::int32_t partitions);

}  // namespace clientele::infra
