// Reading query parameters (api/query_reader.hpp): percent-decoding, bounds, and the problems a
// route answers 400 with, each naming its parameter.

#include "api/query_reader.hpp"

#include <gtest/gtest.h>

namespace clientele::api {
namespace {

Request with_query(std::vector<std::pair<std::string, std::string>> query) {
  Request request;
  request.query = std::move(query);
  return request;
}

TEST(PercentDecode, DecodesEscapesKeepsPlusAndRefusesBrokenEscapes) {
  EXPECT_EQ(percent_decode("ada%40example.com"), "ada@example.com");
  EXPECT_EQ(percent_decode("a+b%2Bc%2f"), "a+b+c/");
  EXPECT_EQ(percent_decode(""), "");
  EXPECT_EQ(percent_decode("%4"), std::nullopt);
  EXPECT_EQ(percent_decode("%zz"), std::nullopt);
}

TEST(QueryReader, ReadsBoundedValuesAndNamesEveryProblem) {
  const auto request = with_query(
      {{"limit", "101"}, {"page", "2"}, {"sortOrder", "up"}, {"q", "%40ex"}, {"verbose", "1"}});
  QueryReader query(request);
  EXPECT_EQ(query.integer("limit", 1, 100), std::nullopt);
  EXPECT_EQ(query.integer("page", 1, 100), 2);
  EXPECT_EQ(query.one_of("sortOrder", {"asc", "desc"}), std::nullopt);
  EXPECT_EQ(query.string("q", 10), "@ex");
  EXPECT_EQ(query.string("absent", 10), std::nullopt);
  const auto problems = query.finish();
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0], (FieldError{"limit", "must be an integer from 1 to 100"}));
  EXPECT_EQ(problems[1], (FieldError{"sortOrder", "must be one of asc, desc"}));
  EXPECT_EQ(problems[2], (FieldError{"verbose", "is not a parameter of this request"}));
}

TEST(QueryReader, RefusesEmptyTooLongAndNonNumericValues) {
  const auto request = with_query({{"a", ""}, {"b", "abcdef"}, {"c", "12x"}});
  QueryReader query(request);
  EXPECT_EQ(query.string("a", 10), std::nullopt);
  EXPECT_EQ(query.string("b", 5), std::nullopt);
  EXPECT_EQ(query.integer("c", 0, 100), std::nullopt);
  const auto problems = query.finish();
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0].field, "a");
  EXPECT_EQ(problems[1].field, "b");
  EXPECT_EQ(problems[2].field, "c");
}

}  // namespace
}  // namespace clientele::api
