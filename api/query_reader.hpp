#pragma once
// Reading a request's query parameters (DESIGN.md §6) the way RequestReader reads bodies: each
// parameter read with its bounds, every problem collected per parameter, and parameters nobody
// asked for rejected by name. A route reads its query like this:
//
//   QueryReader query(request);
//   auto limit = query.integer("limit", 1, 100);
//   if (auto problems = query.finish(); !problems.empty()) return validation_failed(problems);
//
// Every parameter is optional; messages name the parameter and the rule, never the value sent.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api/envelope.hpp"
#include "api/http.hpp"

namespace clientele::api {

// `text` with each "%XX" replaced by its byte; nullopt when a '%' is not followed by two hex
// digits. '+' stays '+'.
std::optional<std::string> percent_decode(std::string_view text);

// Reads the query of one request. Not thread-safe; `request` must outlive the reader.
class QueryReader {
 public:
  explicit QueryReader(const Request& request);

  // Each reads parameter `name` (percent-decoded), recording a problem when it is malformed or
  // out of bounds; returns the value, or nullopt when it is absent or has a problem.
  std::optional<std::string> string(std::string_view name, std::size_t max_length);
  std::optional<std::int64_t> integer(std::string_view name, std::int64_t min, std::int64_t max);
  // One of `allowed`, exactly as written there.
  std::optional<std::string> one_of(std::string_view name,
                                    std::initializer_list<std::string_view> allowed);

  // Records a problem the caller found with parameter `name`.
  void fail(std::string_view name, std::string message);

  // Records every parameter no read asked for, as "is not a parameter of this request", and
  // returns every problem in the order found. Call once, when all reads are done.
  std::vector<FieldError> finish();

 private:
  const Request& request_;                   // the request read
  std::set<std::string, std::less<>> read_;  // the names asked for
  std::vector<FieldError> problems_;         // in the order found
};

}  // namespace clientele::api
