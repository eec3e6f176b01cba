// `clientele bench http` (bench.hpp): a closed-loop libcurl multi driver against a running
// `clientele serve`, and argon2id alone for the login comparison.

#include <curl/curl.h>
#include <fmt/format.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "infra/clock.hpp"
#include "infra/logging.hpp"
#include "infra/uuid.hpp"
#include "tools/bench.hpp"
#include "tools/bench_support.hpp"

namespace clientele::tools {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

// A phase whose requests fail or are answered with a status other than 2xx more often than this
// measured something else than the route: its figures are refused.
constexpr double kMaxFailureRatio = 0.01;
// The bench customer's password (the policy wants a letter and a digit).
constexpr std::string_view kPassword = "bench password 42";
// The longest a request may take before libcurl gives it up (an error in the report).
constexpr long kRequestTimeoutMs = 30'000;

// This process's CPU time (user and system) so far, in seconds.
double cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// ---- requests ---------------------------------------------------------------------------------

// One request, sent again and again: a GET, or a POST of a JSON body when there is one.
// Immutable once made; must outlive every transfer configured with it.
class Target {
 public:
  Target(std::string url, const std::vector<std::string>& headers, std::string body = "")
      : url_(std::move(url)), body_(std::move(body)) {
    // libcurl would wait for "100 Continue" before a larger body: never ask for it.
    headers_ = curl_slist_append(headers_, "Expect:");
    if (!body_.empty()) headers_ = curl_slist_append(headers_, "Content-Type: application/json");
    for (const auto& header : headers) headers_ = curl_slist_append(headers_, header.c_str());
  }
  ~Target() { curl_slist_free_all(headers_); }
  Target(const Target&) = delete;
  Target& operator=(const Target&) = delete;

  // Sets `easy` up to send this request, its answer's body discarded unless the caller sets a
  // write function after.
  void configure(CURL* easy) const {
    curl_easy_setopt(easy, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "clientele-bench");
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, kRequestTimeoutMs);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
    if (!body_.empty()) {
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body_.data());
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_.size()));
    }
  }

 private:
  static std::size_t discard(char*, std::size_t size, std::size_t count, void*) {
    return size * count;
  }

  std::string url_;                // the whole URL
  std::string body_;               // the JSON body of a POST; empty for a GET
  curl_slist* headers_ = nullptr;  // the request's headers, owned
};

// The answer to one request sent on its own.
struct Answer {
  long status = 0;       // 0 when none came (see `error`)
  json body;             // the body as JSON (discarded when it is not)
  std::string position;  // its X-Clientele-Position header, if any
  std::string error;     // libcurl's error when the request failed
};

std::size_t keep_body(char* data, std::size_t size, std::size_t count, void* sink) {
  static_cast<std::string*>(sink)->append(data, size * count);
  return size * count;
}

std::size_t keep_position(char* data, std::size_t size, std::size_t count, void* sink) {
  constexpr std::string_view kName = "x-clientele-position:";
  std::string_view line(data, size * count);
  if (line.size() > kName.size() &&
      std::equal(kName.begin(), kName.end(), line.begin(),
                 [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); })) {
    line.remove_prefix(kName.size());
    const auto first = line.find_first_not_of(" \t");
    const auto last = line.find_last_not_of(" \t\r\n");
    if (first != std::string_view::npos) {
      *static_cast<std::string*>(sink) = std::string(line.substr(first, last - first + 1));
    }
  }
  return size * count;
}

// Sends `target` once, on a connection of its own, and returns its answer.
Answer exchange(const Target& target) {
  const std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> easy(curl_easy_init(),
                                                                 curl_easy_cleanup);
  target.configure(easy.get());
  std::string body;
  Answer answer;
  curl_easy_setopt(easy.get(), CURLOPT_WRITEFUNCTION, keep_body);
  curl_easy_setopt(easy.get(), CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(easy.get(), CURLOPT_HEADERFUNCTION, keep_position);
  curl_easy_setopt(easy.get(), CURLOPT_HEADERDATA, &answer.position);
  if (const auto result = curl_easy_perform(easy.get()); result != CURLE_OK) {
    answer.error = curl_easy_strerror(result);
    return answer;
  }
  curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &answer.status);
  answer.body = json::parse(body, nullptr, false);
  return answer;
}

// ---- the driver -------------------------------------------------------------------------------

// What driving one target measured.
struct Phase {
  int connections = 0;                     // transfers kept in flight
  double offered = 0;                      // paced: requests per second sent; 0: a closed loop
  double seconds = 0;                      // from the first request to the last answer
  std::vector<std::int64_t> latencies_us;  // one per request, answered or failed
  std::map<long, std::int64_t> statuses;   // answers by status
  std::int64_t errors = 0;                 // requests that got no answer
  std::string first_error;                 // libcurl's error for the first of them
  std::int64_t connections_opened = 0;     // TCP connections libcurl opened
  double cpu_seconds = 0;                  // this process's CPU time during the phase

  std::int64_t requests() const { return static_cast<std::int64_t>(latencies_us.size()); }
  // Adds a later run of the same target to this one, as if they were one run.
  void add(const Phase& later) {
    connections = later.connections;
    seconds += later.seconds;
    latencies_us.insert(latencies_us.end(), later.latencies_us.begin(), later.latencies_us.end());
    for (const auto& [status, n] : later.statuses) statuses[status] += n;
    errors += later.errors;
    if (first_error.empty()) first_error = later.first_error;
    connections_opened += later.connections_opened;
    cpu_seconds += later.cpu_seconds;
  }
  std::int64_t non2xx() const {
    std::int64_t count = 0;
    for (const auto& [status, n] : statuses) count += (status < 200 || status > 299) ? n : 0;
    return count;
  }
};

// Where a driver's requests come from: the target of the next request, or null when there are no
// more. Called on the driver's thread.
using TargetSource = std::function<std::shared_ptr<const Target>()>;

// A source that sends `target` (which must outlive it) again and again.
TargetSource again_and_again(const Target& target) {
  std::shared_ptr<const Target> unowned(std::shared_ptr<const Target>(), &target);
  return [unowned] { return unowned; };
}

// A source that sends `targets` in turn, round and round.
TargetSource in_turn(std::vector<std::shared_ptr<const Target>> targets) {
  return [targets = std::move(targets), next = std::size_t{0}]() mutable {
    return targets[next++ % targets.size()];
  };
}

// Sends the requests of a source on `connections` keep-alive connections, on the calling thread:
// in a closed loop, each connection sending its next request as soon as the previous answer is
// in; or at a fixed rate (an open loop, as wrk2 does), request i due at start + i / rate on the
// first idle connection, its latency counted from when it was due, so that a server that falls
// behind is charged for the requests that had to wait for a connection (no coordinated
// omission). Events come from epoll and
// go to curl_multi_socket_action, so that each costs only the transfer it is about
// (curl_multi_perform would look at every connection every time). Not thread-safe; one run() per
// driver.
class MultiDriver {
 public:
  MultiDriver(const Target& target, int connections)
      : MultiDriver(again_and_again(target), connections) {}
  // `rate`: requests per second; 0 for a closed loop.
  MultiDriver(TargetSource source, int connections, double rate = 0)
      : source_(std::move(source)),
        rate_(rate),
        multi_(curl_multi_init()),
        epoll_(::epoll_create1(EPOLL_CLOEXEC)) {
    curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
    curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(connections));
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, static_cast<long>(connections));
    transfers_.resize(static_cast<std::size_t>(connections));
    for (auto& transfer : transfers_) {
      transfer.easy = curl_easy_init();
      curl_easy_setopt(transfer.easy, CURLOPT_PRIVATE, &transfer);
    }
  }
  ~MultiDriver() {
    for (auto& transfer : transfers_) {
      curl_multi_remove_handle(multi_, transfer.easy);
      curl_easy_cleanup(transfer.easy);
    }
    curl_multi_cleanup(multi_);
    ::close(epoll_);
  }
  MultiDriver(const MultiDriver&) = delete;
  MultiDriver& operator=(const MultiDriver&) = delete;

  // Sends requests until `duration` has passed or the source has no more, then waits for the
  // answers in flight.
  Phase run(std::chrono::duration<double> duration) {
    Phase phase;
    phase.connections = static_cast<int>(transfers_.size());
    phase.offered = rate_;
    const auto cpu_before = cpu_seconds();
    began_ = Clock::now();
    const auto deadline = began_ + std::chrono::duration_cast<Clock::duration>(duration);
    for (auto& transfer : transfers_) {
      if (paced()) {
        idle_.push_back(&transfer);
      } else {
        start(transfer, Clock::now());
      }
    }
    std::array<epoll_event, 128> ready{};
    while (in_flight_ > 0 || (paced() && !exhausted_ && due() < deadline)) {
      if (paced()) start_due(deadline);
      const int n = ::epoll_wait(epoll_, ready.data(), static_cast<int>(ready.size()), wait_ms());
      for (int i = 0; i < n; ++i) act(ready[i].data.fd, mask_of(ready[i].events));
      if (n <= 0 || (timer_ && Clock::now() >= *timer_)) {
        timer_.reset();
        act(CURL_SOCKET_TIMEOUT, 0);
      }
      collect(deadline, phase);
    }
    phase.seconds = std::chrono::duration<double>(Clock::now() - began_).count();
    phase.cpu_seconds = cpu_seconds() - cpu_before;
    return phase;
  }

 private:
  // One connection's easy handle and its request in flight.
  struct Transfer {
    CURL* easy = nullptr;                  // owned; added again for each request
    std::shared_ptr<const Target> target;  // of its current request; configured into `easy`
    Clock::time_point sent;  // when its current request was due (paced) or handed to libcurl
  };

  bool paced() const { return rate_ > 0; }

  // When the next paced request is due.
  Clock::time_point due() const {
    return began_ + std::chrono::duration_cast<Clock::duration>(
                        std::chrono::duration<double>(static_cast<double>(issued_) / rate_));
  }

  // Starts the paced requests due by now (and before `deadline`) on idle connections.
  void start_due(Clock::time_point deadline) {
    const auto now = Clock::now();
    while (!idle_.empty() && !exhausted_ && due() <= now && due() < deadline) {
      const auto sent = due();
      ++issued_;
      if (!start(*idle_.front(), sent)) {
        exhausted_ = true;
        break;
      }
      idle_.pop_front();
    }
  }

  static int on_socket(CURL*, curl_socket_t socket, int what, void* self, void*) {
    const int epoll = static_cast<MultiDriver*>(self)->epoll_;
    if (what == CURL_POLL_REMOVE) {
      ::epoll_ctl(epoll, EPOLL_CTL_DEL, socket, nullptr);
      return 0;
    }
    epoll_event event{};
    event.events =
        ((what & CURL_POLL_IN) ? EPOLLIN : 0u) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0u);
    event.data.fd = socket;
    if (::epoll_ctl(epoll, EPOLL_CTL_MOD, socket, &event) != 0 && errno == ENOENT) {
      ::epoll_ctl(epoll, EPOLL_CTL_ADD, socket, &event);
    }
    return 0;
  }

  static int on_timer(CURLM*, long timeout_ms, void* self) {
    auto& timer = static_cast<MultiDriver*>(self)->timer_;
    if (timeout_ms < 0) {
      timer.reset();
    } else {
      timer = Clock::now() + std::chrono::milliseconds(timeout_ms);
    }
    return 0;
  }

  static int mask_of(std::uint32_t events) {
    return ((events & EPOLLIN) ? CURL_CSELECT_IN : 0) |
           ((events & EPOLLOUT) ? CURL_CSELECT_OUT : 0) |
           ((events & (EPOLLERR | EPOLLHUP)) ? CURL_CSELECT_ERR : 0);
  }

  // How long epoll may wait: until libcurl's timer or the next paced request an idle connection
  // can take, and never long (a lost wake-up costs little).
  int wait_ms() const {
    std::optional<Clock::time_point> until = timer_;
    if (paced() && !idle_.empty() && !exhausted_) until = std::min(until.value_or(due()), due());
    if (!until) return 100;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(*until - Clock::now()).count();
    return static_cast<int>(std::clamp<std::int64_t>(left, 0, 100));
  }

  void act(curl_socket_t socket, int mask) {
    int running = 0;
    curl_multi_socket_action(multi_, socket, mask, &running);
  }

  // Starts the source's next request on `transfer`, its latency counted from `sent`; false when
  // the source has no more.
  bool start(Transfer& transfer, Clock::time_point sent) {
    auto target = source_();
    if (!target) return false;
    if (target != transfer.target) target->configure(transfer.easy);
    transfer.target = std::move(target);
    transfer.sent = sent;
    curl_multi_add_handle(multi_, transfer.easy);
    ++in_flight_;
    return true;
  }

  // Records every transfer libcurl has finished in `phase`; in a closed loop, starts its next
  // request unless `deadline` has passed, and when paced, leaves its connection idle.
  void collect(Clock::time_point deadline, Phase& phase) {
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
      if (message->msg != CURLMSG_DONE) continue;
      CURL* easy = message->easy_handle;
      const CURLcode result = message->data.result;  // `message` dies with the handle's removal
      const auto done = Clock::now();
      char* raw = nullptr;
      curl_easy_getinfo(easy, CURLINFO_PRIVATE, &raw);
      auto& transfer = *reinterpret_cast<Transfer*>(raw);
      phase.latencies_us.push_back(
          std::chrono::duration_cast<std::chrono::microseconds>(done - transfer.sent).count());
      if (result == CURLE_OK) {
        long status = 0;
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
        ++phase.statuses[status];
      } else {
        if (phase.errors++ == 0) phase.first_error = curl_easy_strerror(result);
      }
      long opened = 0;
      curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &opened);
      phase.connections_opened += opened;
      curl_multi_remove_handle(multi_, easy);
      --in_flight_;
      if (paced()) {
        idle_.push_back(&transfer);
      } else if (done < deadline) {
        start(transfer, Clock::now());
      }
    }
  }

  TargetSource source_;                     // the requests to send
  double rate_;                             // requests per second; 0 for a closed loop
  CURLM* multi_;                            // owned; holds the connections between requests
  int epoll_;                               // owned; the sockets libcurl wants watched
  std::vector<Transfer> transfers_;         // one per connection; never resized after made
  std::optional<Clock::time_point> timer_;  // when libcurl wants its timeout action
  int in_flight_ = 0;                       // transfers added and not finished
  Clock::time_point began_;                 // when run() started
  // Paced: connections with no request in flight, the longest idle first, so that requests take
  // every connection in turn (the server spreads connections, not requests, over its threads).
  std::deque<Transfer*> idle_;
  std::int64_t issued_ = 0;  // paced: requests started
  bool exhausted_ = false;   // paced: the source has no more
};

json report_of(Phase& phase) {
  auto& latencies = phase.latencies_us;
  std::sort(latencies.begin(), latencies.end());
  json statuses = json::object();
  for (const auto& [status, n] : phase.statuses) statuses[std::to_string(status)] = n;
  const double seconds = std::max(phase.seconds, 1e-9);
  json out{{"connections", phase.connections},
           {"seconds", phase.seconds},
           {"requests", phase.requests()},
           {"requestsPerSecond", static_cast<double>(phase.requests()) / seconds},
           {"p50Ms", percentile_ms(latencies, 0.50)},
           {"p99Ms", percentile_ms(latencies, 0.99)},
           {"maxMs", latencies.empty() ? 0.0 : static_cast<double>(latencies.back()) / 1000.0},
           {"non2xx", phase.non2xx()},
           {"errors", phase.errors},
           {"statuses", statuses},
           {"connectionsOpened", phase.connections_opened},
           {"clientCpuPercent", 100.0 * phase.cpu_seconds / seconds}};
  if (phase.offered > 0) out["offeredPerSecond"] = phase.offered;
  return out;
}

// Whether `phase` (of requests to `route`) measured the route: some requests, and no more than
// kMaxFailureRatio of them failed or answered other than 2xx. Logs why not.
bool valid(const Phase& phase, std::string_view route) {
  const auto bad = phase.non2xx() + phase.errors;
  if (phase.requests() > 0 &&
      static_cast<double>(bad) <= kMaxFailureRatio * static_cast<double>(phase.requests())) {
    return true;
  }
  json statuses = json::object();
  for (const auto& [status, n] : phase.statuses) statuses[std::to_string(status)] = n;
  std::string hint;
  if (phase.statuses.contains(429)) {
    hint =
        "; the server refused requests with 429: start it with a high --auth-rate and "
        "--auth-burst (e.g. 1000000) for this bench";
  }
  infra::log_error(fmt::format("{} of {} requests to {} failed or were not answered with 2xx: "
                               "the figures do not measure the route{}",
                               bad, phase.requests(), route, hint),
                   {{"route", route},
                    {"statuses", statuses},
                    {"errors", phase.errors},
                    {"firstError", phase.first_error}});
  return false;
}

// Drives the requests of `source` on `connections` connections for `seconds`, in a closed loop or
// at `rate` requests per second; its report in `report[name]`. Whether it measured the route.
bool drive(TargetSource source, int connections, double seconds, std::string_view route,
           const std::string& name, json& report, double rate = 0) {
  MultiDriver driver(std::move(source), connections, rate);
  auto phase = driver.run(std::chrono::duration<double>(seconds));
  report[name] = report_of(phase);
  return valid(phase, route);
}

// ---- the bench customer -----------------------------------------------------------------------

// The bench customer, signed in.
struct Customer {
  std::string login_body;  // the body of POST /api/v1/auth/login with the right credentials
  std::string token;       // an access token
};

// Logs `what` failed with `answer`; returns nullopt.
std::optional<Customer> setup_failed(std::string_view what, const Answer& answer) {
  const bool limited = answer.status == 429;
  infra::log_error(
      fmt::format("cannot {}{}", what,
                  limited ? ": the server rate-limits the auth routes; start it with a high "
                            "--auth-rate and --auth-burst for this bench"
                          : ""),
      {{"status", answer.status},
       {"error", answer.error},
       {"message", answer.body.is_object() ? answer.body.value("message", "") : ""}});
  return std::nullopt;
}

// Registers a customer with a random email at `base`, logs in, and reads its record once with
// the position of the login, so that the read models have it before the clock starts. Logs why
// and returns nullopt when a step fails.
std::optional<Customer> sign_up(const std::string& base) {
  const auto email = fmt::format("bench-{}@example.com", infra::uuid_v7(infra::utc_now()));
  const json registration{
      {"email", email}, {"password", kPassword}, {"firstName", "Bench"}, {"lastName", "Runner"}};
  const Target register_target(base + "/api/v1/auth/register", {}, registration.dump());
  if (const auto registered = exchange(register_target); registered.status != 201) {
    return setup_failed("register the bench customer", registered);
  }
  Customer customer{json{{"email", email}, {"password", kPassword}}.dump(), ""};
  const Target login_target(base + "/api/v1/auth/login", {}, customer.login_body);
  const auto signed_in = exchange(login_target);
  if (signed_in.status != 200) return setup_failed("log the bench customer in", signed_in);
  customer.token = signed_in.body["data"].value("accessToken", "");
  const Target me_target(
      base + "/api/v1/customers/me",
      {"Authorization: Bearer " + customer.token, "X-Clientele-Position: " + signed_in.position});
  if (const auto me = exchange(me_target); me.status != 200) {
    return setup_failed("read the bench customer's record", me);
  }
  return customer;
}

// ---- customer lookups -------------------------------------------------------------------------

// The environment variable the administrator's password comes from (never the command line,
// where other users of the machine could read it).
constexpr const char* kAdminPasswordVariable = "CLIENTELE_ADMIN_PASSWORD";
// The most customer ids the lookups take from the list.
constexpr std::size_t kMaxLookupIds = 10'000;

// `n` written with the letters a..z (at least four of them), so that seeded names differ and
// searches for three of their letters find a few customers each.
std::string letters_of(std::uint64_t n) {
  std::string out;
  for (int i = 0; i < 4 || n > 0; ++i, n /= 26) out.push_back(static_cast<char>('a' + n % 26));
  return out;
}

// The administrator's access token; empty (logged) when the login fails.
std::string administrator_token(const std::string& base, const std::string& email) {
  const char* password = std::getenv(kAdminPasswordVariable);
  if (password == nullptr) {
    infra::log_error(fmt::format("--admin-email needs the password in {}", kAdminPasswordVariable));
    return "";
  }
  const Target login(base + "/api/v1/auth/login", {},
                     json{{"email", email}, {"password", password}}.dump());
  const auto answer = exchange(login);
  if (answer.status != 200) {
    setup_failed("log the administrator in", answer);
    return "";
  }
  return answer.body["data"].value("accessToken", "");
}

// The customers the read models count (GET /api/v1/customers/analytics), or -1 (logged).
std::int64_t customers_counted(const std::string& base, const std::string& token) {
  const Target analytics(base + "/api/v1/customers/analytics", {"Authorization: Bearer " + token});
  const auto answer = exchange(analytics);
  if (answer.status != 200) {
    setup_failed("read the analytics", answer);
    return -1;
  }
  return answer.body["data"].value("totalCustomers", std::int64_t{-1});
}

// Registers `count` customers on `connections` connections, each with a name of its own; the
// phase's report.
Phase seed(const std::string& base, int count, int connections) {
  const auto run = infra::uuid_v7(infra::utc_now());
  const auto url = base + "/api/v1/auth/register";
  int next = 0;
  MultiDriver driver(
      [&]() -> std::shared_ptr<const Target> {
        if (next == count) return nullptr;
        const auto n = static_cast<std::uint64_t>(next++);
        const json body{{"email", fmt::format("seed-{}-{}@example.com", run, n)},
                        {"password", kPassword},
                        {"firstName", "Seed"},
                        {"lastName", "Lookup " + letters_of(n)}};
        return std::make_shared<const Target>(url, std::vector<std::string>{}, body.dump());
      },
      connections);
  return driver.run(std::chrono::hours(24));
}

// Waits until the read models count `expected` customers (at most ten minutes); false (logged)
// when they do not.
bool wait_for_count(const std::string& base, const std::string& token, std::int64_t expected) {
  const auto deadline = Clock::now() + std::chrono::minutes(10);
  while (Clock::now() < deadline) {
    const auto counted = customers_counted(base, token);
    if (counted < 0) return false;
    if (counted >= expected) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  infra::log_error("the read models did not count the seeded customers within ten minutes");
  return false;
}

// Drives a lookup's `source` in a closed loop, into `report[name]`, then with a `rate`, as many
// requests per second on as many connections, into `report[name + "AtRate"]`. Whether both
// measured the route.
bool drive_lookup(const HttpBench& bench, const TargetSource& source, std::string_view route,
                  const std::string& name, double rate, json& report) {
  bool ok = drive(source, bench.connections, bench.duration, route, name, report);
  if (rate > 0) {
    ok &= drive(source, bench.connections, bench.duration, route, name + "AtRate", report, rate);
  }
  return ok;
}

// Up to kMaxLookupIds customer ids, from the list walked page by page.
std::vector<std::string> customer_ids(const std::string& base, const std::string& token) {
  std::vector<std::string> ids;
  std::string cursor;
  while (ids.size() < kMaxLookupIds) {
    const Target page(
        base + "/api/v1/customers?limit=100" + (cursor.empty() ? "" : "&cursor=" + cursor),
        {"Authorization: Bearer " + token});
    const auto answer = exchange(page);
    if (answer.status != 200) {
      setup_failed("list the customers", answer);
      return {};
    }
    const auto& data = answer.body["data"];
    for (const auto& customer : data["customers"]) ids.push_back(customer.value("customerId", ""));
    if (data["pagination"]["nextCursor"].is_null()) break;
    cursor = data["pagination"]["nextCursor"].get<std::string>();
  }
  return ids;
}

// Drives GET /api/v1/customers/{id} over the customers of the list and GET
// /api/v1/customers/search over fragments of the seeded names, after seeding `bench.customers`
// customers; the figures go to `report`. Whether every phase measured its route.
bool drive_lookups(const HttpBench& bench, const std::string& base, int seed_connections,
                   json& report) {
  const auto token = administrator_token(base, bench.admin_email);
  if (token.empty()) return false;
  const auto before = customers_counted(base, token);
  if (before < 0) return false;
  bool ok = true;
  if (bench.customers > 0) {
    auto seeded = seed(base, bench.customers, seed_connections);
    const auto registered = seeded.statuses[201];
    report["seed"] = report_of(seeded);
    ok &= valid(seeded, "POST /api/v1/auth/register");
    if (!wait_for_count(base, token, before + registered)) return false;
  }
  const auto ids = customer_ids(base, token);
  if (ids.empty()) return false;
  const auto customers = customers_counted(base, token);
  report["lookups"] = {{"customers", customers}, {"ids", ids.size()}};
  const std::vector<std::string> admin{"Authorization: Bearer " + token};
  std::vector<std::shared_ptr<const Target>> by_id;
  for (const auto& id : ids) {
    by_id.push_back(std::make_shared<const Target>(base + "/api/v1/customers/" + id, admin));
  }
  ok &= drive_lookup(bench, in_turn(std::move(by_id)), "GET /api/v1/customers/{id}", "customerById",
                     bench.by_id_rate, report);
  // The first three letters of seeded names (as if every customer counted was seeded): each
  // finds the few customers whose names share them (at 100,000 customers, about six).
  const auto named = static_cast<std::uint64_t>(std::max<std::int64_t>(customers, 1));
  std::vector<std::shared_ptr<const Target>> searches;
  for (std::uint64_t n = 0; n < 2000; ++n) {
    searches.push_back(std::make_shared<const Target>(
        base + "/api/v1/customers/search?limit=20&q=" + letters_of(n * 7919 % named).substr(0, 3),
        admin));
  }
  ok &= drive_lookup(bench, in_turn(std::move(searches)), "GET /api/v1/customers/search", "search",
                     bench.search_rate, report);
  return ok;
}

// ---- argon2id alone ---------------------------------------------------------------------------

// Verifies one password against its hash with the server's argon2id parameters, as a login
// does, on a number of threads for a while at a time, and counts.
class HashingAlone {
 public:
  // nullopt (logged) when hashing fails.
  static std::optional<HashingAlone> create(const HttpBench& bench) {
    // Weak parameters are allowed: they must be whatever the server was given, and nothing
    // hashed here is kept.
    auto hasher = commands::PasswordHasher::create({.ops_limit = bench.argon2_ops,
                                                    .mem_limit = bench.argon2_memory_mib << 20,
                                                    .allow_weak = true});
    if (!hasher) {
      infra::log_error("cannot hash passwords", {{"error", hasher.error().message}});
      return std::nullopt;
    }
    auto hash = hasher->hash(kPassword);
    if (!hash) {
      infra::log_error("cannot hash passwords", {{"error", hash.error().message}});
      return std::nullopt;
    }
    return HashingAlone(std::move(*hasher), std::move(*hash));
  }

  // Verifies on `threads` threads for `seconds`; false (logged) when a verification failed.
  bool run(int threads, double seconds) {
    std::atomic<std::int64_t> hashes{0};
    std::atomic<std::int64_t> mismatches{0};
    const auto began = Clock::now();
    const auto deadline =
        began + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&] {
        while (Clock::now() < deadline) {
          if (!hasher_.verify(hash_, kPassword)) ++mismatches;
          ++hashes;
        }
      });
    }
    for (auto& worker : workers) worker.join();
    seconds_ += std::chrono::duration<double>(Clock::now() - began).count();
    hashes_ += hashes.load();
    threads_ = threads;
    if (mismatches > 0) infra::log_error("a password did not verify against its own hash");
    return mismatches == 0;
  }

  double hashes_per_second() const {
    return seconds_ > 0 ? static_cast<double>(hashes_) / seconds_ : 0;
  }

  json report() const {
    const auto& params = hasher_.parameters();
    return json{{"threads", threads_},          {"hashes", hashes_},
                {"seconds", seconds_},          {"hashesPerSecond", hashes_per_second()},
                {"opsLimit", params.ops_limit}, {"memoryMib", params.mem_limit >> 20}};
  }

 private:
  HashingAlone(commands::PasswordHasher hasher, std::string hash)
      : hasher_(std::move(hasher)), hash_(std::move(hash)) {}

  commands::PasswordHasher hasher_;
  std::string hash_;
  int threads_ = 0;
  std::int64_t hashes_ = 0;
  double seconds_ = 0;
};

}  // namespace

int run_http_bench(const HttpBench& bench) {
  // libcurl's global state, from before the first handle to after the last.
  struct CurlGlobal {
    CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
    ~CurlGlobal() { curl_global_cleanup(); }
  } const curl;
  std::string base = bench.url;
  while (base.ends_with('/')) base.pop_back();
  const auto customer = sign_up(base);
  if (!customer) return 1;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // Pistache gives each connection to a server thread by its descriptor: a few connections may
  // all land on one thread and leave the other cores idle. Four per core keep every thread busy.
  const int login_connections = bench.login_connections > 0 ? bench.login_connections : 4 * cores;

  json report{{"scenario", "http"}, {"url", base}, {"driver", "libcurl-multi"}};
  bool ok = true;
  if (bench.healthz) {
    const Target healthz(base + "/healthz", {});
    ok &= drive(again_and_again(healthz), bench.connections, bench.duration, "GET /healthz",
                "healthz", report);
  }
  const Target me(base + "/api/v1/customers/me", {"Authorization: Bearer " + customer->token});
  ok &= drive(again_and_again(me), bench.connections, bench.duration, "GET /api/v1/customers/me",
              "me", report);
  if (!bench.admin_email.empty()) ok &= drive_lookups(bench, base, 4 * cores, report);
  // Logins and hashing alone take turns, `rounds` times, so that a machine whose speed drifts
  // (one shared with other work) skews both alike. More hashing threads than cores only slow
  // argon2id down (they contend for the memory map): the bound is what the cores do.
  const Target login(base + "/api/v1/auth/login", {}, customer->login_body);
  auto alone = HashingAlone::create(bench);
  ok &= alone.has_value();
  const double slice = bench.login_duration / bench.rounds;
  Phase logins;
  for (int round = 0; round < bench.rounds && alone; ++round) {
    MultiDriver driver(login, login_connections);
    logins.add(driver.run(std::chrono::duration<double>(slice)));
    ok &= alone->run(std::min(login_connections, cores), slice);
  }
  ok &= valid(logins, "POST /api/v1/auth/login");
  report["login"] = report_of(logins);
  report["rounds"] = bench.rounds;
  report["pwhashAlone"] = alone ? alone->report() : json(nullptr);
  const double hashes_per_second = alone ? alone->hashes_per_second() : 0.0;
  report["loginVsPwhash"] =
      hashes_per_second > 0
          ? json(report["login"].value("requestsPerSecond", 0.0) / hashes_per_second)
          : json(nullptr);
  std::cout << report.dump() << std::endl;
  return ok ? 0 : 1;
}

}  // namespace clientele::tools
