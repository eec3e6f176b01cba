#include "api/auth_routes.hpp"

#include "api/customer_fields.hpp"
#include "api/envelope.hpp"
#include "api/error_mapping.hpp"
#include "api/preconditions.hpp"
#include "api/request_reader.hpp"

namespace clientele::api {
namespace {

constexpr std::size_t kMaxPassword = 1024;  // the policy's 128 code points, in bytes and then some
constexpr std::size_t kMaxToken = 256;

Response too_many(std::chrono::seconds retry_after, std::string_view message) {
  auto response = failure(429, message);
  response.headers.emplace_back("Retry-After", std::to_string(retry_after.count()));
  return response;
}

// The answer for an AuthService error: credentials that are not valid are 401, whatever made
// them so (the service gives them one message).
Response auth_error(const Error& error) {
  if (error.code == errc::forbidden) {
    std::vector<FieldError> errors;
    if (!error.field.empty()) errors.push_back({error.field, error.message});
    return failure(401, error.field.empty() ? error.message : "the request is not authorized",
                   errors);
  }
  if (error.code == errc::conflict && error.field == "status") return failure(403, error.message);
  return error_response(error);
}

// Where `request` comes from, as customer.logged-in records it.
commands::Client client_of(const Request& request) {
  constexpr std::size_t kMaxUserAgent = 500;
  return {request.client_address,
          std::string(request.headers.get("user-agent").value_or("")).substr(0, kMaxUserAgent)};
}

class Routes {
 public:
  explicit Routes(const AuthRoutes& r) : r_(r) {}

  // Every auth route goes through the rate limit first.
  Response call(Response (Routes::*route)(const Request&), const Request& request) {
    if (auto wait = r_.rate_limit.acquire(request.client_address, r_.monotonic_clock())) {
      return too_many(*wait, "too many requests; retry later");
    }
    return (this->*route)(request);
  }

  Response register_customer(const Request& request) {
    return r_.idempotency.run(request, [&] { return register_once(request); });
  }

  Response register_once(const Request& request) {
    RequestReader body(request.body);
    commands::NewCustomer customer;
    customer.email = body.string("email", Presence::required, 254).value_or("");
    customer.password = body.string("password", Presence::required, kMaxPassword).value_or("");
    customer.first_name = body.string("firstName", Presence::required, 100).value_or("");
    customer.last_name = body.string("lastName", Presence::required, 100).value_or("");
    customer.phone = body.string("phone", Presence::optional, 20).value_or("");
    customer.date_of_birth = read_date(body, "dateOfBirth", Presence::optional);
    customer.gender = read_gender(body, "gender", Presence::optional);
    customer.preferences =
        read_preferences(body, Presence::optional).value_or(customer::Preferences{});
    customer.marketing_emails = body.boolean("marketingEmails", Presence::optional).value_or(false);
    customer.marketing_sms = body.boolean("marketingSms", Presence::optional).value_or(false);
    if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);

    auto session = r_.auth.register_customer(customer);
    if (!session) return auth_error(session.error());
    auto response = success(201, "registered", tokens(*session));
    add_position(response, session->outcome);
    response.headers.emplace_back("Location", "/api/v1/customers/me");
    return response;
  }

  Response login(const Request& request) {
    RequestReader body(request.body);
    auto email = body.string("email", Presence::optional, 254);
    auto username = body.string("username", Presence::optional, 30);
    auto password = body.string("password", Presence::required, kMaxPassword);
    if (email.has_value() == username.has_value()) {
      body.fail(email ? "username" : "email", "give either email or username");
    }
    if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);

    const auto& login_name = email ? *email : *username;
    return sign_in(request, r_.auth.login_key(login_name),
                   [&] { return r_.auth.login(login_name, *password, client_of(request)); });
  }

  Response request_phone_code(const Request& request) {
    RequestReader body(request.body);
    auto phone = body.string("phone", Presence::required, 20);
    if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
    if (auto sent = r_.auth.request_phone_code(*phone); !sent) return auth_error(sent.error());
    return success(202,
                   "if this phone number leads to an account, a code is on its way; it is "
                   "valid for 10 minutes");
  }

  Response verify_phone_code(const Request& request) {
    RequestReader body(request.body);
    auto phone = body.string("phone", Presence::required, 20);
    auto code = body.string("code", Presence::required, 16);
    if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
    // Failed codes back off like failed passwords, per phone number and per address.
    return sign_in(request, r_.auth.phone_key(*phone),
                   [&] { return r_.auth.verify_phone_code(*phone, *code, client_of(request)); });
  }

  Response refresh(const Request& request) {
    RequestReader body(request.body);
    auto token = body.string("refreshToken", Presence::required, kMaxToken);
    if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
    auto session = r_.auth.refresh(*token);
    if (!session) return auth_error(session.error());
    return success(200, "tokens refreshed", tokens(*session));
  }

  Response logout(const Request& request) {
    RequestReader body(request.body);
    auto token = body.string("refreshToken", Presence::required, kMaxToken);
    if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
    if (auto done = r_.auth.logout(*token); !done) return auth_error(done.error());
    return success(200, "signed out");
  }

  Response forgot_password(const Request& request) {
    RequestReader body(request.body);
    auto email = body.string("email", Presence::required, 254);
    if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
    if (auto sent = r_.auth.forgot_password(*email); !sent) return auth_error(sent.error());
    return success(202,
                   "if this email is registered, a code is on its way; it is valid for 10 "
                   "minutes");
  }

  Response reset_password(const Request& request) {
    RequestReader body(request.body);
    auto email = body.string("email", Presence::required, 254);
    auto code = body.string("code", Presence::required, 16);
    auto next = body.string("newPassword", Presence::required, kMaxPassword);
    if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
    auto reset = r_.auth.reset_password(*email, *code, *next);
    if (!reset) return auth_error(reset.error());
    auto response = success(200, "password changed; every session was signed out");
    add_position(response, *reset);
    return response;
  }

  Response change_password(const Request& request) {
    RequestReader body(request.body);
    auto current = body.string("currentPassword", Presence::required, kMaxPassword);
    auto next = body.string("newPassword", Presence::required, kMaxPassword);
    if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
    auto expected = if_match(request);
    if (!expected) return error_response(expected.error());
    auto changed =
        r_.auth.change_password(CustomerId(request.caller->id), *current, *next, *expected);
    if (!changed) return auth_error(changed.error());
    auto response = success(200, "password changed; every session was signed out");
    add_position(response, *changed);
    return response;
  }

 private:
  // Signs in with `attempt` unless `account` (an opaque key) or the client's address must back
  // off: wrong credentials count as failures, a success starts the account's count afresh.
  Response sign_in(const Request& request, const std::string& account,
                   const std::function<Result<commands::Session>()>& attempt) {
    const auto now = r_.monotonic_clock();
    if (auto wait = r_.backoff.check(account, request.client_address, now)) {
      return too_many(*wait, "too many failed logins; retry later");
    }
    auto session = attempt();
    if (!session) {
      if (session.error().code == errc::forbidden) {
        r_.backoff.record_failure(account, request.client_address, now);
      }
      return auth_error(session.error());
    }
    r_.backoff.record_success(account);
    auto response = success(200, "signed in", tokens(*session));
    add_position(response, session->outcome);
    return response;
  }

  nlohmann::json tokens(const commands::Session& session) const {
    nlohmann::json out{{"userId", session.user.str()}, {"role", to_string(session.role)}};
    if (session.role == Role::Customer) out["customerId"] = session.user.str();
    out.update(nlohmann::json{
        {"accessToken", r_.tokens.issue(session.user.str(), session.role, r_.clock())},
        {"refreshToken", session.refresh.token},
        {"tokenType", "Bearer"},
        {"expiresIn", r_.tokens.lifetime().count()}});
    return out;
  }

  AuthRoutes r_;  // references to what the routes use, and the clocks
};

}  // namespace

void add_position(Response& response, const commands::Outcome& outcome) {
  if (outcome.positions.empty()) return;
  response.headers.emplace_back("X-Clientele-Position",
                                events::to_string(outcome.positions.back()));
}

Result<void> add_auth_routes(Router& router, const AuthRoutes& routes) {
  // The routes live as long as the router's handlers: shared by them.
  auto shared = std::make_shared<Routes>(routes);
  const auto handler = [shared](Response (Routes::*route)(const Request&)) -> Handler {
    return [shared, route](const Request& request) { return shared->call(route, request); };
  };
  const std::string base = "/api/v1/auth";
  if (auto r = router.add(Method::Post, base + "/register", handler(&Routes::register_customer),
                          Body::json);
      !r) {
    return r;
  }
  if (auto r = router.add(Method::Post, base + "/login", handler(&Routes::login), Body::json); !r) {
    return r;
  }
  if (auto r = router.add(Method::Post, base + "/refresh", handler(&Routes::refresh), Body::json);
      !r) {
    return r;
  }
  if (auto r = router.add(Method::Post, base + "/logout", handler(&Routes::logout), Body::json);
      !r) {
    return r;
  }
  if (auto r = router.add(Method::Post, base + "/phone/request",
                          handler(&Routes::request_phone_code), Body::json);
      !r) {
    return r;
  }
  if (auto r = router.add(Method::Post, base + "/phone/verify", handler(&Routes::verify_phone_code),
                          Body::json);
      !r) {
    return r;
  }
  if (auto r = router.add(Method::Post, base + "/forgot-password",
                          handler(&Routes::forgot_password), Body::json);
      !r) {
    return r;
  }
  if (auto r = router.add(Method::Post, base + "/reset-password", handler(&Routes::reset_password),
                          Body::json);
      !r) {
    return r;
  }
  return router.add(Method::Put, base + "/change-password", handler(&Routes::change_password),
                    Body::json, Access::customer);
}

}  // namespace clientele::api
