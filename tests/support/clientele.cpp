#include "tests/support/clientele.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "domain/customer.hpp"
#include "infra/embedded_event_log.hpp"
#include "infra/rocksdb_key_store.hpp"
#include "tests/support/history_writer.hpp"

namespace clientele::testing {

using nlohmann::json;

json wait_for_log(Child& child, const std::string& message, std::vector<json>* seen) {
  while (auto line = child.next_line(std::chrono::seconds(30))) {
    const auto parsed = json::parse(*line, nullptr, false);
    EXPECT_TRUE(parsed.is_object()) << "not a JSON log line: " << *line;
    if (!parsed.is_object()) continue;
    EXPECT_TRUE(parsed.contains("ts") && parsed.contains("level") && parsed.contains("msg"))
        << *line;
    if (seen) seen->push_back(parsed);
    if (parsed.value("msg", "") == message) return parsed;
  }
  return nullptr;
}

std::string first_line_when_there(const std::filesystem::path& file,
                                  std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!std::filesystem::exists(file) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::string line;
  std::ifstream in(file);
  std::getline(in, line);
  return line;
}

void write_secret(const std::filesystem::path& file, const events::SecretKey& key) {
  std::ofstream(file) << key.hex() << "\n";
  std::filesystem::permissions(file, std::filesystem::perms::owner_read);
}

std::vector<std::string> store_options(const std::filesystem::path& dir) {
  return {"--data-dir",           (dir / "var").string(), "--kek-file",
          (dir / "kek").string(), "--pepper-file",        (dir / "pepper").string()};
}

std::vector<std::string> serve_with(std::vector<std::string> options) {
  std::vector<std::string> argv{kBinary, "serve", "--listen", "127.0.0.1:0"};
  argv.insert(argv.end(), options.begin(), options.end());
  return argv;
}

std::vector<std::string> serve_command(const std::filesystem::path& dir) {
  return serve_with(store_options(dir));
}

void write_three_events(const std::filesystem::path& dir) {
  const auto data = dir / "var";
  auto kek = events::SecretKey::random();
  write_secret(dir / "kek", kek);
  write_secret(dir / "pepper", events::SecretKey::random());
  auto log = infra::EmbeddedEventLog::open({data / "events", 12});
  ASSERT_TRUE(log.ok());
  auto keys = infra::RocksDbKeyStore::open(data / "keys", std::move(kek));
  ASSERT_TRUE(keys.ok());
  HistoryWriter writer(**log, **keys);
  for (const auto* id : {"CUST_0000ada1", "CUST_0000b0b2"}) {
    customer::Registered registered;
    registered.customer_id = CustomerId(id);
    registered.username = std::string("user") + id;
    registered.email = std::string(id) + "@example.com";
    registered.first_name = "First";
    registered.last_name = "Last";
    writer.append(CustomerId(id), customer::Event{registered});
  }
  writer.append(CustomerId("CUST_0000ada1"), customer::Event{customer::LoggedIn{}});
}

DevBroker::DevBroker(const std::filesystem::path& dir)
    : child({kBinary, "kafka-dev-broker", "--port-file", (dir / "broker.port").string()}),
      servers(first_line_when_there(dir / "broker.port")) {}

namespace {

std::vector<std::string> with_port_file(std::vector<std::string> argv,
                                        const std::filesystem::path& port_file) {
  argv.insert(argv.end(), {"--port-file", port_file.string()});
  return argv;
}

}  // namespace

Service::Service(std::vector<std::string> argv, const std::filesystem::path& dir)
    : child(with_port_file(std::move(argv), dir / "http.port")),
      address(first_line_when_there(dir / "http.port")) {}

std::string Service::url(std::string_view path) const {
  return "http://" + address + std::string(path);
}

}  // namespace clientele::testing
