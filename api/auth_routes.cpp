#include "api/auth_routes.hpp"

#include "api/customer_fields.hpp"
#include "api/envelope.hpp"
#include "api/error_mapping.hpp"
#include "api/preconditions.hpp"
#include "api/read_your_writes.hpp"
#include "api/request_reader.hpp"

namespace clientele::api {
namespace {

constexpr std::size_t kMaxPassword = 1024;  // the policy's 128 code points, in bytes and then some
constexpr std::size_t kMaxToken = 256;
constexpr std::size_t kMaxIdToken = 8192;  // longer ones the verifier refuses anyway (oidc.cpp)
constexpr std::size_t kMaxNonce = 64;      // ours are 43 characters

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

// What a federated route's body proves: an ID token, the provider that issued it, and the nonce
// it was issued for.
struct FederatedProof {
  customer::Provider provider;
  std::string id_token;
  std::string nonce;
};

// Reads {provider, idToken, nonce}; nullopt when one of them has a problem (recorded in `body`).
std::optional<FederatedProof> read_proof(RequestReader& body) {
  const auto name = body.string("provider", Presence::required, 20);
  std::optional<customer::Provider> provider;
  if (name) {
    provider = enum_from_string<customer::Provider>(*name);
    if (!provider) body.fail("provider", "must be one of google, kakao, apple");
  }
  auto id_token = body.string("idToken", Presence::required, kMaxIdToken);
  auto nonce = body.string("nonce", Presence::required, kMaxNonce);
  if (!provider || !id_token || !nonce) return std::nullopt;
  return FederatedProof{*provider, std::move(*id_token), std::move(*nonce)};
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
        read_preferences(body, Presence::optional).value_or(PreferencesChange{}).over({});
    customer.marketing_emails = body.boolean("marketingEmails", Presence::optional).value_or(false);
    customer.marketing_sms = body.boolean("marketingSms", Presence::optional).value_or(false);
    if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);

    auto session = r_.auth.register_customer(customer);
    if (!session) return auth_error(session.error());
    return session_answer(*session);
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

  Response issue_federated_nonce(const Request&) {
    auto nonce = r_.auth.issue_login_nonce();
    if (!nonce) return error_response(nonce.error());
    return success(
        201, "nonce issued; it is valid once, for 10 minutes",
        {{"nonce", *nonce}, {"expiresIn", std::chrono::seconds(commands::kCodeLifetime).count()}});
  }

  Response federated_login(const Request& request) {
    return r_.idempotency.run(request, [&] { return federated_login_once(request); });
  }

  Response federated_login_once(const Request& request) {
    RequestReader body(request.body);
    const auto proof = read_proof(body);
    const commands::FederatedProfile profile{body.string("email", Presence::optional, 254),
                                             body.string("firstName", Presence::optional, 100),
                                             body.string("lastName", Presence::optional, 100)};
    if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
    if (auto refused = unconfigured(proof->provider)) return *refused;
    // A federated login names no account before its token is verified: its failures back off
    // per client address, each attempt (one nonce) an account of its own.
    return sign_in(request, "nonce:" + proof->nonce, [&]() -> Result<commands::Session> {
      auto identity = identify(*proof);
      if (!identity) return identity.error();
      return r_.auth.federated_login(*identity, profile, client_of(request));
    });
  }

  Response link_external_account(const Request& request) {
    return r_.idempotency.run(request, [&] { return link_once(request); });
  }

  Response link_once(const Request& request) {
    RequestReader body(request.body);
    const auto proof = read_proof(body);
    if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
    if (auto refused = unconfigured(proof->provider)) return *refused;
    auto identity = identify(*proof);
    if (!identity) return auth_error(identity.error());
    auto linked = r_.auth.link_external_account(CustomerId(request.caller->id), *identity);
    if (!linked) return auth_error(linked.error());
    auto response =
        success(200, "account linked", {{"provider", clientele::to_string(proof->provider)}});
    add_position(response, *linked);
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
    return session_answer(*session);
  }

  // The answer to a request that opened `session`: the tokens and the position, with 201 and the
  // new customer's Location when the request registered them.
  Response session_answer(const commands::Session& session) const {
    auto response = session.registered ? success(201, "registered", tokens(session))
                                       : success(200, "signed in", tokens(session));
    add_position(response, session.outcome);
    if (session.registered) response.headers.emplace_back("Location", "/api/v1/customers/me");
    return response;
  }

  // The 400 for a provider the service has no configuration for; nullopt when it has one.
  std::optional<Response> unconfigured(customer::Provider provider) const {
    if (r_.identity_providers == nullptr) {
      return validation_failed({{"provider", "no identity provider is configured"}});
    }
    if (!r_.identity_providers->knows(clientele::to_string(provider))) {
      return validation_failed({{"provider", "unknown provider: it is not configured"}});
    }
    return std::nullopt;
  }

  // The external account `proof` shows, once its nonce is used up. errc::forbidden on "nonce"
  // or "idToken"; why a token was refused goes to the log only.
  Result<commands::ExternalIdentity> identify(const FederatedProof& proof) const {
    if (auto redeemed = r_.auth.redeem_login_nonce(proof.nonce); !redeemed) {
      return redeemed.error();
    }
    const auto provider = clientele::to_string(proof.provider);
    auto claims = r_.identity_providers->verify(provider, proof.id_token,
                                                expected_nonce(provider, proof.nonce), r_.clock());
    if (!claims) {
      if (r_.log) {
        r_.log(LogLevel::info, "federated login refused an ID token",
               nlohmann::json{{"provider", provider}, {"reason", claims.error().message}});
      }
      return make_error(errc::forbidden, "idToken",
                        "is not a valid ID token of this provider for this nonce");
    }
    return commands::ExternalIdentity{proof.provider,     claims->subject,
                                      claims->email,      claims->email_verified,
                                      claims->given_name, claims->family_name};
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

Result<void> add_auth_routes(Router& router, const AuthRoutes& routes) {
  // The routes live as long as the router's handlers: shared by them.
  auto shared = std::make_shared<Routes>(routes);
  const auto handler = [shared](Response (Routes::*route)(const Request&)) -> Handler {
    return [shared, route](const Request& request) { return shared->call(route, request); };
  };
  // One row per route, all under /api/v1/auth.
  struct Entry {
    Method method;
    std::string_view path;
    Response (Routes::*route)(const Request&);
    Body body;
    Access access;
  };
  const Entry entries[] = {
      {Method::Post, "/register", &Routes::register_customer, Body::json, Access::anyone},
      {Method::Post, "/login", &Routes::login, Body::json, Access::anyone},
      {Method::Post, "/refresh", &Routes::refresh, Body::json, Access::anyone},
      {Method::Post, "/logout", &Routes::logout, Body::json, Access::anyone},
      {Method::Post, "/phone/request", &Routes::request_phone_code, Body::json, Access::anyone},
      {Method::Post, "/phone/verify", &Routes::verify_phone_code, Body::json, Access::anyone},
      {Method::Post, "/forgot-password", &Routes::forgot_password, Body::json, Access::anyone},
      {Method::Post, "/reset-password", &Routes::reset_password, Body::json, Access::anyone},
      {Method::Put, "/change-password", &Routes::change_password, Body::json, Access::customer},
      {Method::Post, "/federated/nonce", &Routes::issue_federated_nonce, Body::none,
       Access::anyone},
      {Method::Post, "/federated", &Routes::federated_login, Body::json, Access::anyone},
      {Method::Post, "/federated/link", &Routes::link_external_account, Body::json,
       Access::customer},
  };
  for (const auto& entry : entries) {
    if (auto added = router.add(entry.method, "/api/v1/auth" + std::string(entry.path),
                                handler(entry.route), entry.body, entry.access);
        !added) {
      return added;
    }
  }
  return clientele::success();
}

}  // namespace clientele::api
