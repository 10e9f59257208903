#include "sim/engine/spec_problem.hpp"

#include <stdexcept>

namespace cs {

void append_under(SpecProblems& out, const std::string& prefix, const SpecProblems& problems) {
  for (const SpecProblem& p : problems)
    out.push_back({p.key.empty() ? prefix : p.key.front() == '[' ? prefix + p.key : prefix + "." + p.key, p.message});
}

void require_valid(const SpecProblems& problems, const std::string& what) {
  if (problems.empty()) return;
  const SpecProblem& p = problems.front();
  throw std::invalid_argument(what + ": " + (p.key.empty() ? "" : p.key + ": ") + p.message);
}

}  // namespace cs
