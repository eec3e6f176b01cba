#pragma once
// How a domain struct is laid out on the wire, field by field, and which fields are personal.
//
//   template <> struct Schema<customer::NoteAdded> {
//     static constexpr std::string_view type = "customer.note-added";  // events only
//     static constexpr int version = 1;                                 // events only
//     static constexpr auto fields = std::tuple{personal("note", &customer::NoteAdded::note)};
//   };
//
// split() writes the plain fields into `data` and the personal ones into `personal`, so that
// personal values never reach `data`. A plain field whose type has a Schema of its own is split
// recursively (an address snapshot keeps its country in `data`, its lines in `personal`).
// join() reads them back; with `personal` absent (the customer was erased) personal fields keep
// their default values. Both are templates, instantiated where the Schemas are visible.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "domain/result.hpp"
#include "events/json.hpp"

namespace clientele::events {

template <class S, class M, bool Personal>
struct Field {
  static constexpr bool is_personal = Personal;
  std::string_view name;  // camelCase wire name; never changes when the C++ member is renamed
  M S::*member;
};

template <class S, class M>
constexpr Field<S, M, false> plain(std::string_view name, M S::*member) {
  return {name, member};
}

template <class S, class M>
constexpr Field<S, M, true> personal(std::string_view name, M S::*member) {
  return {name, member};
}

template <class F>
inline constexpr bool is_personal_field = std::remove_cvref_t<F>::is_personal;

template <class T>
struct Schema;

template <class T>
concept HasSchema = requires {
  Schema<T>::fields;
};

template <class T>
struct OptionalValue : std::false_type {};
template <class T>
struct OptionalValue<std::optional<T>> : std::true_type {
  using type = T;
};

// True iff T, or a struct nested in it, has a personal field.
template <HasSchema T>
constexpr bool has_personal_fields() {
  return std::apply(
      [](auto... f) {
        return ((f.is_personal ||
                 [&] {
                   using M = std::remove_cvref_t<decltype(std::declval<T>().*(f.member))>;
                   if constexpr (HasSchema<M>) {
                     return has_personal_fields<M>();
                   } else if constexpr (OptionalValue<M>::value &&
                                        HasSchema<typename OptionalValue<M>::type>) {
                     return has_personal_fields<typename OptionalValue<M>::type>();
                   } else {
                     return false;
                   }
                 }()) ||
                ...);
      },
      Schema<T>::fields);
}

template <HasSchema T>
void split(const T& value, nlohmann::json& data, nlohmann::json& personal);

template <HasSchema T>
void join(T& value, const nlohmann::json& data, const nlohmann::json* personal);

namespace detail {

template <class M>
void split_member(std::string_view name, const M& member, nlohmann::json& data,
                  nlohmann::json& personal) {
  const std::string key(name);
  if constexpr (HasSchema<M>) {
    nlohmann::json d = nlohmann::json::object();
    nlohmann::json p = nlohmann::json::object();
    split(member, d, p);
    data[key] = std::move(d);
    if (!p.empty()) personal[key] = std::move(p);
  } else if constexpr (OptionalValue<M>::value && HasSchema<typename OptionalValue<M>::type>) {
    if (member) {
      split_member(name, *member, data, personal);
    } else {
      data[key] = nullptr;
    }
  } else {
    data[key] = member;
  }
}

template <class M>
void join_member(std::string_view name, M& member, const nlohmann::json& data,
                 const nlohmann::json* personal) {
  const std::string key(name);
  const nlohmann::json& d = data.at(key);
  // The personal part of a nested struct S: none when the record is erased (`personal` is null),
  // else required iff S has personal fields.
  const auto nested_personal = [&]<class S>() -> const nlohmann::json* {
    if constexpr (has_personal_fields<S>()) {
      return personal != nullptr ? &personal->at(key) : nullptr;
    } else {
      return nullptr;
    }
  };
  if constexpr (HasSchema<M>) {
    join(member, d, nested_personal.template operator()<M>());
  } else if constexpr (OptionalValue<M>::value && HasSchema<typename OptionalValue<M>::type>) {
    if (d.is_null()) {
      member.reset();
    } else {
      member.emplace();
      join(*member, d, nested_personal.template operator()<typename OptionalValue<M>::type>());
    }
  } else {
    d.get_to(member);
  }
}

}  // namespace detail

template <HasSchema T>
void split(const T& value, nlohmann::json& data, nlohmann::json& personal) {
  std::apply(
      [&](const auto&... f) {
        (
            [&] {
              if constexpr (is_personal_field<decltype(f)>) {
                personal[std::string(f.name)] = value.*(f.member);
              } else {
                detail::split_member(f.name, value.*(f.member), data, personal);
              }
            }(),
            ...);
      },
      Schema<T>::fields);
}

// Throws nlohmann::json::exception when a field is missing or malformed.
template <HasSchema T>
void join(T& value, const nlohmann::json& data, const nlohmann::json* personal) {
  std::apply(
      [&](const auto&... f) {
        (
            [&] {
              if constexpr (!is_personal_field<decltype(f)>) {
                detail::join_member(f.name, value.*(f.member), data, personal);
              } else if (personal != nullptr) {
                personal->at(std::string(f.name)).get_to(value.*(f.member));
              }
            }(),
            ...);
      },
      Schema<T>::fields);
}

}  // namespace clientele::events

// Vectors of structs with a Schema and no personal field (e.g. order items) are plain arrays.
namespace nlohmann {

template <clientele::events::HasSchema T>
requires(!clientele::events::has_personal_fields<T>()) struct adl_serializer<T> {
  static void to_json(json& j, const T& value) {
    j = json::object();
    json unused = json::object();
    clientele::events::split(value, j, unused);
  }
  static void from_json(const json& j, T& value) { clientele::events::join(value, j, nullptr); }
};

}  // namespace nlohmann
