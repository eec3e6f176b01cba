#pragma once
// librdkafka's own log lines, as our JSON log lines (set with rd_kafka_conf_set_log_cb). They
// name brokers, topics and partitions, never record contents.

#include <librdkafka/rdkafka.h>

namespace clientele::infra {

// Errors and warnings as such, the rest at debug level.
void forward_kafka_log(const rd_kafka_t* client, int level, const char* facility,
                       const char* message);

}  // namespace clientele::infra
