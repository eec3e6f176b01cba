#pragma once
// Errors are values (STYLE.md): a small closed set of codes grouped by how the caller reacts,
// and Result<T>, a value or an Error. HTTP status codes are chosen in api/ only.

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace clientele {

enum class errc {
  invalid,      // the request is malformed or breaks a rule; retrying it unchanged fails again
  not_found,    // the thing addressed does not exist (or is not the caller's)
  conflict,     // the request is well formed but the current state forbids it
  forbidden,    // the actor may not do this
  unavailable,  // a dependency did not answer in time; the outcome may be unknown
  corrupt,      // stored data failed an integrity check
};

std::string_view to_string(errc code);

// What went wrong. `field` names the input at fault (camelCase, as clients spell it), or is
// empty when no single field is. `message` never contains personal data.
struct Error {
  errc code;
  std::string field;
  std::string message;

  bool operator==(const Error&) const = default;
};

inline Error make_error(errc code, std::string field, std::string message) {
  return Error{code, std::move(field), std::move(message)};
}

// A value of T, or an Error. Accessing the wrong side is a programming error (checked by
// std::get, which throws std::bad_variant_access).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_{};
  bool ok_ = true;
};

inline Result<void> success() {
  return {};
}

}  // namespace clientele
