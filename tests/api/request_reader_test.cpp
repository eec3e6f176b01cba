// Reading request bodies: media type, JSON syntax, nesting depth, typed fields, per-field
// problems and unknown fields (DESIGN.md §6).

#include "api/request_reader.hpp"

#include <gtest/gtest.h>

namespace clientele::api {
namespace {

using nlohmann::json;

TEST(MediaType, OnlyJsonInUtf8IsJson) {
  EXPECT_TRUE(is_json_media_type("application/json"));
  EXPECT_TRUE(is_json_media_type("Application/JSON"));
  EXPECT_TRUE(is_json_media_type("application/json; charset=utf-8"));
  EXPECT_TRUE(is_json_media_type("application/json;charset=\"UTF-8\""));
  EXPECT_TRUE(is_json_media_type(" application/json ; foo=bar"));
  EXPECT_FALSE(is_json_media_type("application/json; charset=latin1"));
  EXPECT_FALSE(is_json_media_type("text/plain"));
  EXPECT_FALSE(is_json_media_type("application/x-www-form-urlencoded"));
  EXPECT_FALSE(is_json_media_type("application/jsonp"));
  EXPECT_FALSE(is_json_media_type(""));
}

TEST(ParseJsonBody, ParsesJson) {
  const auto parsed = parse_json_body(R"({"a":[1,{"b":2}]})", 3);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ((*parsed)["a"][1]["b"], 2);
}

TEST(ParseJsonBody, MalformedJsonIsInvalid) {
  for (const char* text : {R"({"a":)", "{a:1}", "not json", R"({"a":1} trailing)"}) {
    const auto parsed = parse_json_body(text, 16);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.error().code, errc::invalid);
    EXPECT_EQ(parsed.error().message, "the request body is not JSON");
  }
}

TEST(ParseJsonBody, NestingDeeperThanTheLimitIsInvalid) {
  EXPECT_TRUE(parse_json_body(R"({"a":{"b":[1]}})", 3).ok());
  const auto deep = parse_json_body(R"({"a":{"b":[1]}})", 2);
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.error().code, errc::invalid);
  EXPECT_NE(deep.error().message.find("deeper than 2"), std::string::npos);
}

TEST(ParseJsonBody, AVeryDeepBodyIsRefusedWithoutBeingBuilt) {
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  const auto parsed = parse_json_body(deep, 16);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("deeper than 16"), std::string::npos);
}

TEST(RequestReader, ReadsTypedFields) {
  const auto body =
      json::parse(R"({"email":"a@example.com","age":42,"newsletter":true,"tags":["x","y"]})");
  RequestReader reader(body);
  EXPECT_EQ(reader.string("email"), "a@example.com");
  EXPECT_EQ(reader.integer("age", Presence::required, 0, 150), 42);
  EXPECT_EQ(reader.boolean("newsletter"), true);
  EXPECT_EQ(reader.strings("tags", Presence::required, 10), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(reader.string("nickname", Presence::optional), std::nullopt);
  EXPECT_TRUE(reader.finish().empty());
}

TEST(RequestReader, CollectsOneProblemPerFieldAndNamesIt) {
  const auto body = json::parse(R"({"email":5,"age":200,"newsletter":"yes","tags":[1]})");
  RequestReader reader(body);
  EXPECT_EQ(reader.string("email"), std::nullopt);
  EXPECT_EQ(reader.integer("age", Presence::required, 0, 150), std::nullopt);
  EXPECT_EQ(reader.boolean("newsletter"), std::nullopt);
  EXPECT_EQ(reader.strings("tags", Presence::required, 10), std::nullopt);
  EXPECT_EQ(reader.string("password"), std::nullopt);
  EXPECT_EQ(reader.finish(), (std::vector<FieldError>{{"email", "must be a string"},
                                                      {"age", "must be between 0 and 150"},
                                                      {"newsletter", "must be true or false"},
                                                      {"tags", "must be an array of strings"},
                                                      {"password", "is required"}}));
}

TEST(RequestReader, NullCountsAsAbsent) {
  const auto body = json::parse(R"({"phone":null})");
  RequestReader reader(body);
  EXPECT_FALSE(reader.has("phone"));
  EXPECT_EQ(reader.string("phone", Presence::optional), std::nullopt);
  EXPECT_TRUE(reader.finish().empty());
  RequestReader required(body);
  (void)required.string("phone");
  EXPECT_EQ(required.finish(), (std::vector<FieldError>{{"phone", "is required"}}));
}

TEST(RequestReader, UnknownFieldsAreNamed) {
  const auto body = json::parse(R"({"email":"a@example.com","isAdmin":true,"role":"x"})");
  RequestReader reader(body);
  (void)reader.string("email");
  EXPECT_EQ(reader.finish(), (std::vector<FieldError>{{"isAdmin", "is not a field of this request"},
                                                      {"role", "is not a field of this request"}}));
}

TEST(RequestReader, NestedObjectsAndArraysNameTheirFieldsByPath) {
  const auto body = json::parse(
      R"({"preferences":{"language":"en","theme":"dark"},
          "items":[{"quantity":1},{"quantity":"two","price":3}]})");
  RequestReader reader(body);
  auto preferences = reader.object("preferences", Presence::required);
  ASSERT_TRUE(preferences.has_value());
  EXPECT_EQ(preferences->string("language"), "en");
  auto items = reader.objects("items", Presence::required, 10);
  ASSERT_TRUE(items.has_value());
  ASSERT_EQ(items->size(), 2u);
  for (auto& item : *items) (void)item.integer("quantity", Presence::required, 1, 99);
  EXPECT_EQ(reader.finish(),
            (std::vector<FieldError>{{"items[1].quantity", "must be an integer"},
                                     {"preferences.theme", "is not a field of this request"},
                                     {"items[1].price", "is not a field of this request"}}));
}

TEST(RequestReader, StringsLongerThanTheirLimitAreRefused) {
  const auto body = json::parse(R"({"alias":"abcdef"})");
  RequestReader reader(body);
  EXPECT_EQ(reader.string("alias", Presence::required, 5), std::nullopt);
  EXPECT_EQ(reader.finish(), (std::vector<FieldError>{{"alias", "must be at most 5 bytes long"}}));
}

TEST(RequestReader, IntegersOutsideInt64AreOutOfRange) {
  const auto body = json::parse(R"({"n":18446744073709551615,"f":1.5})");
  RequestReader reader(body);
  EXPECT_EQ(reader.integer("n", Presence::required, 0, 10), std::nullopt);
  EXPECT_EQ(reader.integer("f", Presence::required, 0, 10), std::nullopt);
  EXPECT_EQ(reader.finish(), (std::vector<FieldError>{{"n", "must be between 0 and 10"},
                                                      {"f", "must be an integer"}}));
}

TEST(RequestReader, ABodyThatIsNotAnObjectIsOneProblem) {
  const auto body = json::parse("[1,2]");
  RequestReader reader(body);
  EXPECT_EQ(reader.string("email"), std::nullopt);
  EXPECT_EQ(reader.finish(),
            (std::vector<FieldError>{{"", "the request body must be a JSON object"}}));
}

TEST(RequestReader, TheCallerRecordsRuleProblemsUnderTheFullName) {
  const auto body = json::parse(R"({"address":{"country":"XX"}})");
  RequestReader reader(body);
  auto address = reader.object("address", Presence::required);
  ASSERT_TRUE(address.has_value());
  const auto country = address->string("country");
  if (country != "DE") address->fail("country", "must be an ISO 3166-1 alpha-2 code");
  EXPECT_EQ(reader.finish(),
            (std::vector<FieldError>{{"address.country", "must be an ISO 3166-1 alpha-2 code"}}));
}

TEST(RequestReader, LongUnknownNamesAreCut) {
  json body = json::object();
  body[std::string(500, 'x')] = 1;
  RequestReader reader(body);
  const auto problems = reader.finish();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].field, std::string(64, 'x') + "...");
}

}  // namespace
}  // namespace clientele::api
