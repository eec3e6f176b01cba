#include "domain/result.hpp"

namespace clientele {

std::string_view to_string(errc code) {
  switch (code) {
    case errc::invalid:
      return "invalid";
    case errc::not_found:
      return "not_found";
    case errc::conflict:
      return "conflict";
    case errc::forbidden:
      return "forbidden";
    case errc::unavailable:
      return "unavailable";
    case errc::corrupt:
      return "corrupt";
  }
  return "unknown";
}

}  // namespace clientele
