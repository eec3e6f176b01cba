// The local outbox (infra/outbox_notifier.hpp): one private, synced JSON line per notification,
// whole lines under concurrent writers, read back by read_outbox, and an erased customer's lines
// removed.

#include "infra/outbox_notifier.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "events/json.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"

namespace clientele::infra {
namespace {

using commands::Channel;
using commands::Notification;
using testing::TempDir;

const Timestamp kAt = *parse_timestamp("2026-01-20T14:30:00.123Z");

Notification reset_code(const std::string& customer, const std::string& code) {
  return {"password-reset-code",
          CustomerId(customer),
          Channel::Email,
          "ada." + customer + "@example.com",
          code,
          kAt};
}

unsigned mode_of(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

std::unique_ptr<OutboxNotifier> open_outbox(const std::filesystem::path& dir) {
  auto outbox = OutboxNotifier::open(dir);
  EXPECT_TRUE(outbox.ok()) << outbox.error().message;
  return outbox.ok() ? std::move(*outbox) : nullptr;
}

TEST(OutboxNotifier, EachNotificationIsOneLineReadBackInOrder) {
  TempDir dir;
  const auto outbox_dir = dir.path() / "var" / "outbox";
  auto outbox = open_outbox(outbox_dir);
  ASSERT_NE(outbox, nullptr);
  const std::vector<Notification> sent{
      reset_code("CUST_0000ada1", "123456"),
      {"phone-otp", CustomerId("CUST_0000b0b2"), Channel::Sms, "+447700900123", "654321", kAt}};
  for (const auto& notification : sent) ASSERT_TRUE(outbox->send(notification).ok());

  std::ifstream in(outbox_dir / "notifications.jsonl");
  std::string first;
  std::getline(in, first);
  EXPECT_EQ(nlohmann::json::parse(first),
            nlohmann::json::parse(
                R"({"kind":"password-reset-code","customerId":"CUST_0000ada1","channel":"email",
                    "recipient":"ada.CUST_0000ada1@example.com","code":"123456",
                    "createdAt":"2026-01-20T14:30:00.123Z"})"));

  const auto read = read_outbox(outbox_dir);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(*read, sent);
}

TEST(OutboxNotifier, TheOutboxIsPrivateToItsOwner) {
  TempDir dir;
  const auto outbox_dir = dir.path() / "outbox";
  std::filesystem::create_directories(outbox_dir);
  std::ofstream(outbox_dir / "notifications.jsonl") << "";
  std::filesystem::permissions(
      outbox_dir / "notifications.jsonl",
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
          std::filesystem::perms::group_read | std::filesystem::perms::others_read);
  auto outbox = open_outbox(outbox_dir);
  ASSERT_NE(outbox, nullptr);
  EXPECT_EQ(mode_of(outbox_dir), 0700u);
  EXPECT_EQ(mode_of(outbox_dir / "notifications.jsonl"), 0600u);

  TempDir fresh;
  ASSERT_NE(open_outbox(fresh.path() / "outbox"), nullptr);
  EXPECT_EQ(mode_of(fresh.path() / "outbox" / "notifications.jsonl"), 0600u);
}

TEST(OutboxNotifier, ConcurrentWritersInTwoOpenersWriteWholeLines) {
  TempDir dir;
  // Two notifiers on one outbox stand for two processes; each has writers on four threads.
  auto first = open_outbox(dir.path());
  auto second = open_outbox(dir.path());
  ASSERT_TRUE(first && second);
  constexpr int kThreads = 8;
  constexpr int kEach = 100;
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      auto& outbox = t % 2 == 0 ? *first : *second;
      for (int i = 0; i < kEach; ++i) {
        auto notification = reset_code("CUST_" + std::to_string(t), std::to_string(t * kEach + i));
        notification.recipient += std::string(3000, 'x');  // long lines would tear if split
        EXPECT_TRUE(outbox.send(notification).ok());
      }
    });
  }
  for (auto& writer : writers) writer.join();

  const auto read = read_outbox(dir.path());
  ASSERT_TRUE(read.ok()) << read.error().message;
  ASSERT_EQ(read->size(), std::size_t{kThreads * kEach});
  std::set<std::string> codes;
  for (const auto& notification : *read) codes.insert(notification.code);
  EXPECT_EQ(codes.size(), std::size_t{kThreads * kEach}) << "every line whole, none lost";
}

TEST(OutboxNotifier, ReadingAMissingOutboxFindsNothingAndAnUnfinishedLastLineIsLeftOut) {
  TempDir dir;
  const auto none = read_outbox(dir.path() / "nowhere");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  auto outbox = open_outbox(dir.path());
  ASSERT_NE(outbox, nullptr);
  ASSERT_TRUE(outbox->send(reset_code("CUST_0000ada1", "111111")).ok());
  std::ofstream(dir.path() / "notifications.jsonl", std::ios::app) << R"({"kind":"pass)";
  const auto read = read_outbox(dir.path());
  ASSERT_TRUE(read.ok()) << read.error().message;
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ(read->front().code, "111111");
}

TEST(OutboxNotifier, ALineThatIsNotANotificationIsCorrupt) {
  TempDir dir;
  std::ofstream(dir.path() / "notifications.jsonl") << "{\"kind\":\"phone-otp\"}\n";
  const auto read = read_outbox(dir.path());
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, errc::corrupt);
}

TEST(OutboxNotifier, ForgettingACustomerLeavesNoneOfTheirBytesAndKeepsTheOthers) {
  TempDir dir;
  auto outbox = open_outbox(dir.path());
  ASSERT_NE(outbox, nullptr);
  for (const char* customer : {"CUST_0000ada1", "CUST_0000b0b2", "CUST_0000ada1"})
    ASSERT_TRUE(outbox->send(reset_code(customer, "222222")).ok());
  const auto removed = outbox->forget_customer(CustomerId("CUST_0000ada1"));
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  EXPECT_EQ(*removed, 2u);
  EXPECT_TRUE(testing::files_containing({dir.path()}, "ada.CUST_0000ada1@example.com").empty());

  ASSERT_TRUE(outbox->send(reset_code("CUST_0000c0c3", "333333")).ok());
  const auto read = read_outbox(dir.path());
  ASSERT_TRUE(read.ok()) << read.error().message;
  ASSERT_EQ(read->size(), 2u);
  EXPECT_EQ((*read)[0].customer_id, CustomerId("CUST_0000b0b2"));
  EXPECT_EQ((*read)[1].customer_id, CustomerId("CUST_0000c0c3"));
}

}  // namespace
}  // namespace clientele::infra
