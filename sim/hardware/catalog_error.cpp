#include "sim/hardware/catalog_error.hpp"

namespace cs {

namespace {
std::string message(const std::string& kind, const std::string& name,
                    const std::vector<std::string>& known) {
  std::string out = "unknown " + kind + " '" + name + "'; known " + kind + "s: ";
  for (std::size_t i = 0; i < known.size(); ++i) out += (i ? ", " : "") + known[i];
  if (known.empty()) out += "(none loaded)";
  return out;
}
}  // namespace

UnknownNameError::UnknownNameError(const std::string& kind, const std::string& name,
                                   const std::vector<std::string>& known)
    : std::invalid_argument(message(kind, name, known)), name_(name) {}

}  // namespace cs
