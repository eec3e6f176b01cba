#pragma once
// Reading request bodies (DESIGN.md §6): JSON only, nested no deeper than a limit, each field
// read with its type and bounds, every problem collected per field, and members nobody asked
// for rejected by name. A route reads its body like this:
//
//   RequestReader body(request.body);
//   auto email = body.string("email");
//   auto newsletter = body.boolean("newsletter", Presence::optional);
//   if (auto problems = body.finish(); !problems.empty()) return validation_failed(problems);
//
// Messages name the field and the rule, never the value sent.

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/envelope.hpp"
#include "domain/result.hpp"

namespace clientele::api {

// Whether a Content-Type value names JSON: application/json in any case, with parameters
// ignored except a charset, which must be utf-8.
bool is_json_media_type(std::string_view content_type);

// Parses `text` as JSON. errc::invalid (no field) when it is not JSON, or when it nests
// containers deeper than `max_depth` (a top-level object or array is depth 1).
Result<nlohmann::json> parse_json_body(std::string_view text, int max_depth);

enum class Presence { required, optional };

// The longest string a field takes unless a route says otherwise.
inline constexpr std::size_t kMaxStringLength = 1000;

// Reads the members of one JSON object and of the objects nested in it. Not thread-safe. The
// body read must outlive the reader and every reader made from it.
class RequestReader {
 public:
  // Reads `body`; a body that is not a JSON object is one problem (no field).
  explicit RequestReader(const nlohmann::json& body);

  // Each reads member `name`, recording a problem when it is required and absent (null counts as
  // absent), of the wrong type or out of bounds; returns the value, or nullopt when it is absent
  // or has a problem.
  std::optional<std::string> string(std::string_view name, Presence presence = Presence::required,
                                    std::size_t max_length = kMaxStringLength);
  std::optional<std::int64_t> integer(std::string_view name, Presence presence, std::int64_t min,
                                      std::int64_t max);
  std::optional<bool> boolean(std::string_view name, Presence presence = Presence::required);
  std::optional<std::vector<std::string>> strings(std::string_view name, Presence presence,
                                                  std::size_t max_items,
                                                  std::size_t max_length = kMaxStringLength);
  // A nested object, read by a reader whose fields are named "<name>.<field>".
  std::optional<RequestReader> object(std::string_view name, Presence presence);
  // An array of objects, each read by a reader whose fields are named "<name>[i].<field>".
  std::optional<std::vector<RequestReader>> objects(std::string_view name, Presence presence,
                                                    std::size_t max_items);

  // Whether member `name` is present and not null. Does not count as reading it.
  bool has(std::string_view name) const;

  // Records a problem the caller found with member `name` of this reader's object (a rule the
  // route checks, e.g. domain validation).
  void fail(std::string_view name, std::string message);

  // The full name clients see for member `name` of this reader's object.
  std::string field_name(std::string_view name) const;

  // Records every member of every object read that no read asked for, as "unknown field", and
  // returns every problem in the order found. Call once, when all reads are done.
  std::vector<FieldError> finish();

 private:
  struct Shared;
  struct Scope;
  RequestReader(std::shared_ptr<Shared> shared, const nlohmann::json& object, std::string prefix);
  // Member `name`, marked read; nullptr when absent or null (a problem if `presence` requires it).
  const nlohmann::json* member(std::string_view name, Presence presence);
  // Member `name` when it is `ok`; nullptr when absent or not (then the problem is recorded).
  const nlohmann::json* typed(std::string_view name, Presence presence,
                              const std::function<bool(const nlohmann::json&)>& ok,
                              std::string_view problem);
  // Member `name` as an array of at most `max_items` items each `item_ok`; nullptr when absent or
  // not so (a problem naming the `items` it must hold).
  const nlohmann::json* array(std::string_view name, Presence presence, std::size_t max_items,
                              bool (*item_ok)(const nlohmann::json&), std::string_view items);

  std::shared_ptr<Shared> shared_;  // the problems and scopes of the whole body
  Scope* scope_;                    // this reader's object, owned by `shared_`
};

}  // namespace clientele::api
