#include "sim/hardware/named_catalog.hpp"

#include <cctype>

namespace cs {

namespace {
std::string message(const std::string& kind, const std::string& name, const std::vector<std::string>& known) {
  std::string out = "unknown " + kind + " '" + name + "'; known " + kind + "s: ";
  for (std::size_t i = 0; i < known.size(); ++i) out += (i ? ", " : "") + known[i];
  if (known.empty()) out += "(none loaded)";
  return out;
}
}  // namespace

UnknownNameError::UnknownNameError(const std::string& kind, const std::string& name,
                                   const std::vector<std::string>& known)
    : std::invalid_argument(message(kind, name, known)) {}

std::string catalog_key(const std::string& name) {
  std::string key;
  key.reserve(name.size());
  for (unsigned char c : name) key += (c == '_' || c == ' ') ? '-' : static_cast<char>(std::tolower(c));
  return key;
}

}  // namespace cs
