// The embedded log: the contract suite, plus what only the embedded log promises.

#include "infra/embedded_event_log.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/infra/event_log_contract.hpp"
#include "tests/support/numbered.hpp"
#include "tests/support/temp_dir.hpp"

namespace clientele::testing {
namespace {

using namespace std::chrono_literals;
using events::EncodedEvent;
using events::Offset;
using events::Partition;
using infra::EmbeddedEventLog;

std::unique_ptr<events::EventLog> open_embedded(const std::filesystem::path& dir,
                                                std::int32_t partitions) {
  auto log = EmbeddedEventLog::open({dir / "events", partitions});
  if (!log) throw std::runtime_error(log.error().message);
  return std::move(*log);
}

INSTANTIATE_TEST_SUITE_P(Embedded, EventLogContract,
                         ::testing::Values(LogUnderTest{"embedded", open_embedded}),
                         [](const auto& info) { return info.param.name; });

TEST(EmbeddedEventLog, ThePartitionCountOfALogCannotChange) {
  TempDir dir;
  { ASSERT_TRUE(EmbeddedEventLog::open({dir.path(), 12}).ok()); }
  auto reopened = EmbeddedEventLog::open({dir.path(), 8});
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.error().code, errc::invalid);
  EXPECT_EQ(reopened.error().field, "partitions");
  EXPECT_NE(reopened.error().message.find("12"), std::string::npos);
}

TEST(EmbeddedEventLog, APartitionCountOutsideOneTo1024IsRejected) {
  TempDir dir;
  EXPECT_EQ(EmbeddedEventLog::open({dir.path(), 0}).error().code, errc::invalid);
  EXPECT_EQ(EmbeddedEventLog::open({dir.path(), 1025}).error().code, errc::invalid);
}

TEST(EmbeddedEventLog, ASecondProcessCannotOpenALogInUse) {
  TempDir dir;
  auto first = EmbeddedEventLog::open({dir.path(), 2});
  ASSERT_TRUE(first.ok());
  auto second = EmbeddedEventLog::open({dir.path(), 2});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, errc::unavailable);
}

TEST(EmbeddedEventLog, ConcurrentAppendersShareSyncs) {
  TempDir dir;
  auto log = EmbeddedEventLog::open({dir.path(), 4});
  ASSERT_TRUE(log.ok());
  constexpr int kThreads = 32;
  constexpr int kAppends = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const EncodedEvent e{"id", "test.appended", 1, "payload"};
      for (int i = 0; i < kAppends; ++i)
        EXPECT_TRUE((*log)->append("CUST_" + std::to_string(t), std::span(&e, 1)).ok());
    });
  }
  for (auto& thread : threads) thread.join();
  const auto stats = (*log)->stats();
  EXPECT_EQ(stats.appends, static_cast<std::uint64_t>(kThreads * kAppends));
  EXPECT_EQ(stats.events, stats.appends);
  EXPECT_GE(stats.syncs, 1u);
  EXPECT_LT(stats.syncs, stats.appends) << "every append paid for its own sync";
}

// ---- crash durability -------------------------------------------------------------------------

// One acknowledged command as the child reports it: "<command> <partition> <first offset>\n".
struct Ack {
  std::string command;
  std::int32_t partition;
  std::int64_t offset;
};

constexpr int kEventsPerCommand = 3;

// The child: appends 3-event commands from several threads until it is killed, writing one line
// to `fd` for each acknowledged command (a pipe write under PIPE_BUF bytes is atomic).
[[noreturn]] void append_until_killed(const std::filesystem::path& dir, int fd) {
  auto log = EmbeddedEventLog::open({dir, 6});
  if (!log) _exit(3);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      const std::string key = "CUST_" + std::to_string(7000 + t);
      for (int c = 0;; ++c) {
        const std::string command = std::to_string(t) + "." + std::to_string(c);
        std::vector<EncodedEvent> batch;
        for (int k = 0; k < kEventsPerCommand; ++k) {
          batch.push_back({command, "test.appended", 1,
                           command + "#" + std::to_string(k) + std::string(200, 'x')});
        }
        auto positions = (*log)->append(key, batch);
        if (!positions) _exit(4);
        const std::string line = command + " " +
                                 std::to_string(positions->front().partition.value) + " " +
                                 std::to_string(positions->front().offset.value) + "\n";
        if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(5);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  _exit(0);
}

// Reads acknowledgements from `fd` until `enough` arrived or `limit` passed.
std::string read_acks(int fd, std::size_t enough, std::chrono::milliseconds limit) {
  std::string text;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  char buffer[4096];
  while (std::count(text.begin(), text.end(), '\n') < static_cast<long>(enough) &&
         std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, 100) <= 0) continue;
    const auto n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return text;
}

std::vector<Ack> parse_acks(const std::string& text) {
  std::vector<Ack> acks;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (in.eof() && !text.empty() && text.back() != '\n') break;  // a torn last line
    std::istringstream fields(line);
    Ack ack;
    fields >> ack.command >> ack.partition >> ack.offset;
    acks.push_back(ack);
  }
  return acks;
}

TEST(EmbeddedEventLogCrash, EveryAcknowledgedAppendSurvivesSigkillAndNothingIsTorn) {
  TempDir dir;
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    append_until_killed(dir.path(), fds[1]);
  }
  ::close(fds[1]);
  std::string text = read_acks(fds[0], 3000, 20s);
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child ended by itself, status " << status;
  text += read_acks(fds[0], SIZE_MAX, 1s);  // acknowledgements written before it died
  ::close(fds[0]);
  const auto acks = parse_acks(text);
  ASSERT_GT(acks.size(), 100u) << "the child acknowledged too little to prove anything";

  auto log = EmbeddedEventLog::open({dir.path(), 6});
  ASSERT_TRUE(log.ok()) << log.error().message;

  // Every acknowledged command is there, whole, where it was acknowledged.
  for (const auto& ack : acks) {
    auto cursor = (*log)->open_cursor(Partition{ack.partition}, Offset{ack.offset});
    ASSERT_TRUE(cursor.ok());
    auto records = (*cursor)->next(kEventsPerCommand, 0ms);
    ASSERT_TRUE(records.ok());
    ASSERT_EQ(records->size(), static_cast<std::size_t>(kEventsPerCommand)) << ack.command;
    for (int k = 0; k < kEventsPerCommand; ++k) {
      EXPECT_EQ(records->at(static_cast<std::size_t>(k)).payload.substr(0, ack.command.size() + 2),
                ack.command + "#" + std::to_string(k));
    }
  }

  // Whatever else survived is dense and made of whole commands.
  std::set<std::string> acknowledged;
  for (const auto& ack : acks) acknowledged.insert(ack.command);
  std::size_t survivors = 0;
  for (std::int32_t p = 0; p < 6; ++p) {
    auto cursor = (*log)->open_cursor(Partition{p}, Offset{0});
    ASSERT_TRUE(cursor.ok());
    std::int64_t expected = 0;
    for (;;) {
      auto records = (*cursor)->next(999, 0ms);  // a multiple of kEventsPerCommand
      ASSERT_TRUE(records.ok()) << records.error().message;
      if (records->empty()) break;
      ASSERT_EQ(records->size() % kEventsPerCommand, 0u) << "a command was torn";
      for (std::size_t i = 0; i < records->size(); ++i) {
        EXPECT_EQ(records->at(i).position.offset.value, expected++);
        const auto& payload = records->at(i).payload;
        const auto command = payload.substr(0, payload.find('#'));
        EXPECT_EQ(payload.substr(command.size(), 2), numbered("#", i % kEventsPerCommand))
            << "a command was torn in partition " << p;
      }
      survivors += records->size();
    }
  }
  EXPECT_GE(survivors, acknowledged.size() * kEventsPerCommand);
}

}  // namespace
}  // namespace clientele::testing
