#include "sim/scenario/spec_refusal.hpp"

#include <algorithm>
#include <string>

namespace cs {

void refuse(const MapReader& section, const SpecProblems& problems) {
  if (problems.empty()) return;
  const SpecProblem& p = problems.front();
  const ConfigNode* at = &section.node();
  // "a.b[2].c": walk the map keys and list indices as far as the file wrote them.
  std::size_t i = 0;
  while (i < p.key.size()) {
    if (p.key[i] == '.') ++i;
    const ConfigNode* next = nullptr;
    if (p.key[i] == '[') {
      const std::size_t close = p.key.find(']', i);
      const std::size_t index = std::stoul(p.key.substr(i + 1, close - i - 1));
      if (at->is_sequence() && index < at->items.size()) next = &at->items[index];
      i = close + 1;
    } else {
      const std::size_t end = std::min(p.key.find_first_of(".[", i), p.key.size());
      if (at->is_map()) next = at->find(std::string_view(p.key).substr(i, end - i));
      i = end;
    }
    if (!next) break;
    at = next;
  }
  throw_config_error(at->where, p.key.empty() ? section.path() : section.path_of(p.key), p.message);
}

}  // namespace cs
