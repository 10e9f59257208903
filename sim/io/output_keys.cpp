#include "sim/io/output_keys.hpp"

namespace cs {

bool key_matches(std::string_view pattern, std::string_view name) {
  const std::size_t open = pattern.find('<');
  if (open == std::string_view::npos) return pattern == name;
  if (name.substr(0, open) != pattern.substr(0, open)) return false;
  const std::size_t close = pattern.find('>', open);
  if (close == std::string_view::npos) return false;  // a malformed pattern names nothing
  const std::string_view rest = pattern.substr(close + 1);
  // The placeholder takes any run of characters: try each split (names are short).
  for (std::size_t taken = open; taken <= name.size(); ++taken)
    if (key_matches(rest, name.substr(taken))) return true;
  return false;
}

const OutputKey* find_key(std::span<const OutputKey> keys, std::string_view prefix, std::string_view name) {
  for (const OutputKey& k : keys)
    if (key_matches(std::string(prefix) + std::string(k.name), name)) return &k;
  return nullptr;
}

}  // namespace cs
