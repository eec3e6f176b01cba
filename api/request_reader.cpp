#include "api/request_reader.hpp"

#include <algorithm>
#include <deque>
#include <functional>
#include <limits>
#include <set>

#include "domain/validation.hpp"

namespace clientele::api {
namespace {

using nlohmann::json;

// The longest unknown member name echoed back; longer ones are cut.
constexpr std::size_t kMaxEchoedName = 64;

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

bool is_json_media_type(std::string_view content_type) {
  std::size_t start = 0;
  for (bool first = true;; first = false) {
    const auto end = content_type.find(';', start);
    const auto part = trim(content_type.substr(start, end - start));
    if (first) {
      if (ascii_lower(part) != "application/json") return false;
    } else if (const auto equals = part.find('=');
               equals != std::string_view::npos &&
               ascii_lower(trim(part.substr(0, equals))) == "charset") {
      auto charset = ascii_lower(trim(part.substr(equals + 1)));
      std::erase(charset, '"');
      if (charset != "utf-8" && charset != "utf8") return false;
    }
    if (end == std::string_view::npos) return true;
    start = end + 1;
  }
}

Result<json> parse_json_body(std::string_view text, int max_depth) {
  bool too_deep = false;
  // `depth` counts the containers around the one starting; the callback drops anything deeper
  // than allowed, so a deep body is never built.
  const json::parser_callback_t limit = [&](int depth, json::parse_event_t event, json&) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        depth + 1 > max_depth) {
      too_deep = true;
      return false;
    }
    return !too_deep;
  };
  auto parsed = json::parse(text.begin(), text.end(), limit, /*allow_exceptions=*/false);
  if (too_deep) {
    return make_error(
        errc::invalid, "",
        "the request body nests deeper than " + std::to_string(max_depth) + " levels");
  }
  if (parsed.is_discarded()) return make_error(errc::invalid, "", "the request body is not JSON");
  return parsed;
}

struct RequestReader::Scope {
  const json* object;                       // the object read, or a non-object (then one problem)
  std::string prefix;                       // "" for the body, "<name>." or "<name>[i]." below it
  std::set<std::string, std::less<>> read;  // the members asked for
};

struct RequestReader::Shared {
  std::vector<FieldError> problems;  // in the order found
  std::deque<Scope> scopes;          // every object read, the body first; stable addresses
};

RequestReader::RequestReader(const json& body)
    : RequestReader(std::make_shared<Shared>(), body, "") {
  if (!body.is_object())
    shared_->problems.push_back({"", "the request body must be a JSON object"});
}

RequestReader::RequestReader(std::shared_ptr<Shared> shared, const json& object, std::string prefix)
    : shared_(std::move(shared)) {
  shared_->scopes.push_back(Scope{&object, std::move(prefix), {}});
  scope_ = &shared_->scopes.back();
}

std::string RequestReader::field_name(std::string_view name) const {
  return scope_->prefix + std::string(name);
}

void RequestReader::fail(std::string_view name, std::string message) {
  shared_->problems.push_back({field_name(name), std::move(message)});
}

bool RequestReader::has(std::string_view name) const {
  if (!scope_->object->is_object()) return false;
  const auto found = scope_->object->find(name);
  return found != scope_->object->end() && !found->is_null();
}

const json* RequestReader::member(std::string_view name, Presence presence) {
  scope_->read.emplace(name);
  if (has(name)) return &scope_->object->find(name).value();
  if (presence == Presence::required && scope_->object->is_object()) fail(name, "is required");
  return nullptr;
}

const json* RequestReader::typed(std::string_view name, Presence presence,
                                 const std::function<bool(const json&)>& ok,
                                 std::string_view problem) {
  const auto* value = member(name, presence);
  if (value == nullptr || ok(*value)) return value;
  fail(name, std::string(problem));
  return nullptr;
}

const json* RequestReader::array(std::string_view name, Presence presence, std::size_t max_items,
                                 bool (*item_ok)(const json&), std::string_view items) {
  const auto* value = typed(
      name, presence,
      [item_ok](const json& v) { return v.is_array() && std::all_of(v.begin(), v.end(), item_ok); },
      "must be an array of " + std::string(items));
  if (value != nullptr && value->size() > max_items) {
    fail(name, "must have at most " + std::to_string(max_items) + " items");
    return nullptr;
  }
  return value;
}

std::optional<std::string> RequestReader::string(std::string_view name, Presence presence,
                                                 std::size_t max_length) {
  const auto* value = typed(
      name, presence, [](const json& v) { return v.is_string(); }, "must be a string");
  if (value == nullptr) return std::nullopt;
  if (value->get_ref<const std::string&>().size() > max_length) {
    fail(name, "must be at most " + std::to_string(max_length) + " bytes long");
    return std::nullopt;
  }
  return value->get<std::string>();
}

std::optional<std::int64_t> RequestReader::integer(std::string_view name, Presence presence,
                                                   std::int64_t min, std::int64_t max) {
  const auto* value = typed(
      name, presence, [](const json& v) { return v.is_number_integer(); }, "must be an integer");
  if (value == nullptr) return std::nullopt;
  const bool fits = !value->is_number_unsigned() ||
                    value->get<std::uint64_t>() <=
                        static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  const auto number = fits ? value->get<std::int64_t>() : 0;
  if (!fits || number < min || number > max) {
    fail(name, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return number;
}

std::optional<bool> RequestReader::boolean(std::string_view name, Presence presence) {
  const auto* value = typed(
      name, presence, [](const json& v) { return v.is_boolean(); }, "must be true or false");
  if (value == nullptr) return std::nullopt;
  return value->get<bool>();
}

std::optional<std::vector<std::string>> RequestReader::strings(std::string_view name,
                                                               Presence presence,
                                                               std::size_t max_items,
                                                               std::size_t max_length) {
  const auto* value = array(
      name, presence, max_items, [](const json& item) { return item.is_string(); }, "strings");
  if (value == nullptr) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& item : *value) {
    if (item.get_ref<const std::string&>().size() > max_length) {
      fail(name, "must hold strings of at most " + std::to_string(max_length) + " bytes");
      return std::nullopt;
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::optional<RequestReader> RequestReader::object(std::string_view name, Presence presence) {
  const auto* value = typed(
      name, presence, [](const json& v) { return v.is_object(); }, "must be an object");
  if (value == nullptr) return std::nullopt;
  return RequestReader(shared_, *value, field_name(name) + ".");
}

std::optional<std::vector<RequestReader>> RequestReader::objects(std::string_view name,
                                                                 Presence presence,
                                                                 std::size_t max_items) {
  const auto* value = array(
      name, presence, max_items, [](const json& item) { return item.is_object(); }, "objects");
  if (value == nullptr) return std::nullopt;
  std::vector<RequestReader> out;
  for (std::size_t i = 0; i < value->size(); ++i) {
    out.push_back(
        RequestReader(shared_, (*value)[i], field_name(name) + "[" + std::to_string(i) + "]."));
  }
  return out;
}

std::vector<FieldError> RequestReader::finish() {
  for (const auto& scope : shared_->scopes) {
    if (!scope.object->is_object()) continue;
    for (const auto& [key, value] : scope.object->items()) {
      if (scope.read.contains(key)) continue;
      std::string name = key.size() > kMaxEchoedName ? key.substr(0, kMaxEchoedName) + "..." : key;
      shared_->problems.push_back({scope.prefix + name, "is not a field of this request"});
    }
  }
  return std::move(shared_->problems);
}

}  // namespace clientele::api
