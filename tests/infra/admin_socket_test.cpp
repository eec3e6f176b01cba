// The admin channel's socket: one JSON request, one JSON answer, over a private Unix socket.

#include "infra/admin_socket.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.hpp"

namespace clientele::infra {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::TempDir;

// Answers {"echo": request, "discarded": whether the request was no JSON}.
json echo(const json& request) {
  return {{"echo", request.is_discarded() ? json() : request},
          {"discarded", request.is_discarded()}};
}

std::unique_ptr<AdminServer> serve(const std::filesystem::path& path, AdminHandler handler = echo) {
  auto server = AdminServer::listen(path, std::move(handler));
  if (!server) throw std::runtime_error(server.error().message);
  return std::move(*server);
}

// Leaves a socket file at `path` that nobody listens on, as a killed process does.
void leave_stale_socket(const std::filesystem::path& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strcpy(address.sun_path, path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ::close(fd);
  ASSERT_TRUE(std::filesystem::exists(path));
}

TEST(AdminSocket, AServerAnswersEachRequestWithWhatItsHandlerReturns) {
  TempDir dir;
  const auto path = admin_socket_path(dir.path());
  EXPECT_EQ(path, dir.path() / "admin.sock");
  auto server = serve(path);
  for (const json& request : {json{{"command", "one"}}, json{{"command", "two"}, {"n", 2}}}) {
    auto answer = admin_call(path, request);
    ASSERT_TRUE(answer.ok()) << answer.error().message;
    EXPECT_EQ((*answer)["echo"], request);
  }
}

TEST(AdminSocket, TheSocketFileIsPrivateAndGoneOnceTheServerStops) {
  TempDir dir;
  const auto path = admin_socket_path(dir.path());
  auto server = serve(path);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  server.reset();
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_EQ(admin_call(path, json::object()).error().code, errc::not_found);
}

TEST(AdminSocket, WithoutAServerACallIsNotFound) {
  TempDir dir;
  const auto path = admin_socket_path(dir.path());
  EXPECT_EQ(admin_call(path, json::object()).error().code, errc::not_found);
  leave_stale_socket(path);
  EXPECT_EQ(admin_call(path, json::object()).error().code, errc::not_found);
}

TEST(AdminSocket, ASocketLeftByAKilledServerIsReplaced) {
  TempDir dir;
  const auto path = admin_socket_path(dir.path());
  leave_stale_socket(path);
  auto server = serve(path);
  EXPECT_TRUE(admin_call(path, json{{"command", "x"}}).ok());
}

TEST(AdminSocket, ASecondServerOnALiveSocketIsAConflictAndLeavesTheFirstServing) {
  TempDir dir;
  const auto path = admin_socket_path(dir.path());
  auto first = serve(path);
  auto second = AdminServer::listen(path, echo);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, errc::conflict);
  EXPECT_TRUE(admin_call(path, json{{"command", "x"}}).ok());
}

TEST(AdminSocket, APathLongerThanASocketAddressHoldsWorksToo) {
  TempDir dir;
  const auto deep = dir.path() / std::string(100, 'a') / std::string(100, 'b');
  std::filesystem::create_directories(deep);
  const auto path = admin_socket_path(deep);
  ASSERT_GT(path.string().size(), sizeof(sockaddr_un::sun_path));
  EXPECT_EQ(admin_call(path, json::object()).error().code, errc::not_found);
  auto server = serve(path);
  EXPECT_TRUE(std::filesystem::exists(path));
  auto answer = admin_call(path, json{{"command", "deep"}});
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ((*answer)["echo"]["command"], "deep");
  server.reset();
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(AdminSocket, ARequestThatIsNoJsonReachesTheHandlerDiscarded) {
  TempDir dir;
  const auto path = admin_socket_path(dir.path());
  auto server = serve(path);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strcpy(address.sun_path, path.c_str());
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  const std::string garbage = "{not json\n";
  ASSERT_EQ(::write(fd, garbage.data(), garbage.size()), static_cast<ssize_t>(garbage.size()));
  std::string answer;
  char buffer[256];
  for (ssize_t got; (got = ::read(fd, buffer, sizeof buffer)) > 0;) answer.append(buffer, got);
  ::close(fd);
  ASSERT_FALSE(answer.empty());
  EXPECT_EQ(answer.back(), '\n');
  EXPECT_EQ(json::parse(answer)["discarded"], true);
}

TEST(AdminSocket, ConcurrentRequestsBeyondTheServersThreadsAreAllAnswered) {
  TempDir dir;
  const auto path = admin_socket_path(dir.path());
  std::atomic<int> running{0}, most{0};
  auto server = serve(path, [&](const json& request) {
    const int now = ++running;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(100ms);
    --running;
    return echo(request);
  });
  constexpr int kCalls = 20;
  std::vector<std::thread> callers;
  std::atomic<int> answered{0};
  for (int i = 0; i < kCalls; ++i) {
    callers.emplace_back([&, i] {
      auto answer = admin_call(path, json{{"n", i}}, 30s);
      if (answer.ok() && (*answer)["echo"]["n"] == i) ++answered;
    });
  }
  for (auto& caller : callers) caller.join();
  EXPECT_EQ(answered.load(), kCalls);
  EXPECT_GT(most.load(), 1) << "requests were answered one at a time";
  EXPECT_LE(most.load(), 8);
}

TEST(AdminSocket, StoppingTheServerLetsTheRequestInProgressAnswer) {
  TempDir dir;
  const auto path = admin_socket_path(dir.path());
  std::atomic<bool> started{false};
  auto server = serve(path, [&](const json& request) {
    started = true;
    std::this_thread::sleep_for(300ms);
    return echo(request);
  });
  Result<json> answer = make_error(errc::unavailable, "", "not yet");
  std::thread caller([&] { answer = admin_call(path, json{{"command", "slow"}}); });
  while (!started) std::this_thread::sleep_for(5ms);
  server.reset();
  caller.join();
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ((*answer)["echo"]["command"], "slow");
}

TEST(AdminSocket, AServerThatDoesNotAnswerInTimeIsUnavailable) {
  TempDir dir;
  const auto path = admin_socket_path(dir.path());
  auto server = serve(path, [](const json& request) {
    std::this_thread::sleep_for(500ms);
    return echo(request);
  });
  auto answer = admin_call(path, json::object(), 50ms);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, errc::unavailable);
}

}  // namespace
}  // namespace clientele::infra
