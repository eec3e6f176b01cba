#include "api/router.hpp"

#include <algorithm>

namespace clientele::api {
namespace {

// `path` split at '/', without the leading one: "/a/b" -> {"a", "b"}; "/" -> {""}.
std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> out;
  path.remove_prefix(1);
  for (std::size_t start = 0;;) {
    const auto slash = path.find('/', start);
    out.push_back(path.substr(start, slash - start));
    if (slash == std::string_view::npos) return out;
    start = slash + 1;
  }
}

bool is_parameter(std::string_view segment) {
  return segment.size() > 1 && segment.front() == ':';
}

// Whether `route` matches `segments`; fills `params` when it does.
bool matches(const Route& route, const std::vector<std::string_view>& segments,
             std::map<std::string, std::string, std::less<>>* params) {
  if (route.segments.size() != segments.size()) return false;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const auto& pattern = route.segments[i];
    if (is_parameter(pattern) ? segments[i].empty() : pattern != segments[i]) return false;
  }
  if (params != nullptr) {
    params->clear();
    for (std::size_t i = 0; i < segments.size(); ++i) {
      if (is_parameter(route.segments[i]))
        params->emplace(route.segments[i].substr(1), std::string(segments[i]));
    }
  }
  return true;
}

// Orders routes of one path: a literal segment before a parameter, first difference first.
bool more_specific(const Route& a, const Route& b) {
  for (std::size_t i = 0; i < a.segments.size(); ++i) {
    const bool a_literal = !is_parameter(a.segments[i]), b_literal = !is_parameter(b.segments[i]);
    if (a_literal != b_literal) return a_literal;
  }
  return false;
}

// Whether `a` and `b` match exactly the same paths.
bool same_shape(const Route& a, const Route& b) {
  if (a.segments.size() != b.segments.size()) return false;
  for (std::size_t i = 0; i < a.segments.size(); ++i) {
    const bool a_parameter = is_parameter(a.segments[i]);
    if (a_parameter != is_parameter(b.segments[i])) return false;
    if (!a_parameter && a.segments[i] != b.segments[i]) return false;
  }
  return true;
}

}  // namespace

Result<void> Router::add(Method method, std::string path, Handler handler, Body body,
                         Access access) {
  if (path.empty() || path.front() != '/' || path.find_first_of("?#") != std::string::npos) {
    return make_error(errc::invalid, "path", "a route template starts with '/' and has no query");
  }
  Route route{method, std::move(path), std::move(handler), body, access, {}};
  for (const auto segment : split(route.path)) {
    if (segment == ":") return make_error(errc::invalid, "path", "a parameter needs a name");
    route.segments.emplace_back(segment);
  }
  for (const auto& existing : routes_) {
    if (existing.method == method && same_shape(existing, route)) {
      return make_error(errc::conflict, "path",
                        std::string(to_string(method)) + " " + route.path + " is there already");
    }
  }
  routes_.push_back(std::move(route));
  return success();
}

Router::Match Router::match(Method method, std::string_view path) const {
  Match found;
  if (path.empty() || path.front() != '/') return found;
  const auto segments = split(path);
  for (const auto& route : routes_) {
    if (!matches(route, segments, nullptr)) continue;
    if (route.method != method) {
      if (std::find(found.allowed.begin(), found.allowed.end(), route.method) ==
          found.allowed.end())
        found.allowed.push_back(route.method);
    } else if (found.route == nullptr || more_specific(route, *found.route)) {
      found.route = &route;
    }
  }
  if (found.route != nullptr) {
    found.allowed.clear();
    matches(*found.route, segments, &found.params);
  }
  std::sort(found.allowed.begin(), found.allowed.end());
  return found;
}

}  // namespace clientele::api
