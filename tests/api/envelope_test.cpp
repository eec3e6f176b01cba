// The envelope and the one mapping from error codes to HTTP statuses (DESIGN.md §6).

#include "api/envelope.hpp"

#include <gtest/gtest.h>

#include "api/error_mapping.hpp"

namespace clientele::api {
namespace {

using nlohmann::json;

TEST(Envelope, SuccessCarriesDataAndNoErrors) {
  const auto response = success(201, "created", {{"customerId", "CUST_0000ada1"}});
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(json::parse(response.body), (json{{"success", true},
                                              {"message", "created"},
                                              {"data", {{"customerId", "CUST_0000ada1"}}},
                                              {"errors", json::array()}}));
}

TEST(Envelope, FailureListsEveryFieldErrorAndHasNullData) {
  const auto response =
      failure(400, "the request is not valid",
              {{"email", "is required"}, {"items[0].quantity", "must be an integer"}});
  EXPECT_EQ(json::parse(response.body),
            (json{{"success", false},
                  {"message", "the request is not valid"},
                  {"data", nullptr},
                  {"errors",
                   {{{"field", "email"}, {"message", "is required"}},
                    {{"field", "items[0].quantity"}, {"message", "must be an integer"}}}}}));
}

TEST(ErrorMapping, EachErrorCodeHasItsStatus) {
  EXPECT_EQ(http_status(errc::invalid), 400);
  EXPECT_EQ(http_status(errc::not_found), 404);
  EXPECT_EQ(http_status(errc::conflict), 409);
  EXPECT_EQ(http_status(errc::forbidden), 403);
  EXPECT_EQ(http_status(errc::unavailable), 503);
  EXPECT_EQ(http_status(errc::corrupt), 500);
}

TEST(ErrorMapping, AnErrorNamingAFieldBecomesOneFieldError) {
  const auto response = error_response(make_error(errc::invalid, "phone", "must be E.164"));
  EXPECT_EQ(response.status, 400);
  const auto body = json::parse(response.body);
  EXPECT_EQ(body["success"], false);
  EXPECT_EQ(body["message"], "must be E.164");
  EXPECT_EQ(body["errors"], (json{{{"field", "phone"}, {"message", "must be E.164"}}}));
}

TEST(ErrorMapping, AnErrorNamingNoFieldHasNoFieldErrors) {
  const auto response = error_response(make_error(errc::conflict, "", "already registered"));
  EXPECT_EQ(response.status, 409);
  EXPECT_EQ(json::parse(response.body)["errors"], json::array());
}

TEST(ErrorMapping, InternalDetailsOfA500StayOut) {
  const auto response = error_response(
      make_error(errc::corrupt, "", "the checkpoint of profile.v3 is not an offset"));
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body.find("checkpoint"), std::string::npos) << response.body;
  EXPECT_EQ(json::parse(response.body)["message"], "internal error");
}

TEST(ErrorMapping, ValidationFailedIs400WithEveryProblem) {
  const auto response = validation_failed({{"a", "is required"}, {"b", "must be a string"}});
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(json::parse(response.body)["errors"].size(), 2u);
}

}  // namespace
}  // namespace clientele::api
