#include "tools/bench_support.hpp"

#include <fmt/format.h>
#include <stdlib.h>

#include <algorithm>

#include "events/sealing.hpp"
#include "infra/clock.hpp"
#include "infra/uuid.hpp"

namespace clientele::tools {

std::string customer_name(std::int64_t n) {
  return fmt::format("CUST_{:08x}", 0x1000u + static_cast<unsigned>(n));
}

events::Envelope envelope_of(events::Body body, const std::string& stream, std::uint64_t seq,
                             const std::string& customer, const Actor& actor) {
  const Timestamp at = infra::utc_now();
  return events::wrap(std::move(body), {infra::uuid_v7(at), stream, StreamVersion{seq},
                                        CustomerId(customer), at, actor, "", ""});
}

Result<std::string> payload_of(events::Envelope& envelope, events::KeyStore* keys) {
  if (keys == nullptr) return events::serialize(envelope);
  if (auto sealed = events::seal(envelope, *keys); !sealed) return sealed.error();
  return events::to_wire(envelope);
}

double percentile_ms(const std::vector<std::int64_t>& sorted_us, double q) {
  if (sorted_us.empty()) return 0;
  const auto index = static_cast<std::size_t>(q * static_cast<double>(sorted_us.size() - 1));
  return static_cast<double>(sorted_us[index]) / 1000.0;
}

ScratchDir::ScratchDir(const std::string& requested, const std::filesystem::path& parent) {
  if (!requested.empty()) {
    path_ = requested;
    std::error_code ignored;
    std::filesystem::create_directories(path_, ignored);
    return;
  }
  std::string pattern = parent / "clientele-bench-XXXXXX";
  if (const char* made = ::mkdtemp(pattern.data()); made != nullptr) {
    path_ = made;
    owned_ = true;
  }
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  if (owned_) std::filesystem::remove_all(path_, ec);
}

Result<BenchKeys> open_keys(const std::filesystem::path& directory,
                            const std::vector<std::string>& customers, std::size_t cache_capacity) {
  auto store = infra::RocksDbKeyStore::open(directory, events::SecretKey::random());
  if (!store) return store.error();
  auto cache = std::make_unique<infra::CachingKeyStore>(
      **store, std::max<std::size_t>({customers.size(), cache_capacity, 1}));
  for (const auto& customer : customers) {
    if (auto key = cache->key_for_sealing(CustomerId(customer)); !key) return key.error();
  }
  return BenchKeys{std::move(*store), std::move(cache)};
}

}  // namespace clientele::tools
