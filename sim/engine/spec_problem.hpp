#pragma once
// What a spec's validate() finds wrong with it: the key path of the offending value, relative
// to the section the spec was read from ("pool.initial_replicas", "replica.chunked_prefill"),
// and why. Specs live in the model layers and know nothing of YAML; the scenario loader turns
// the first problem into a ConfigError at that key's file:line:col (sim/scenario/spec_refusal).
// A model built from a spec (by a test, a bench, another model) calls the same validate()
// through require_valid, so each rule is written once.
#include <string>
#include <vector>

namespace cs {

struct SpecProblem {
  std::string key;  // dotted, with [i] for list items; empty: the section itself
  std::string message;
};

using SpecProblems = std::vector<SpecProblem>;

// Appends `problems` of a part of a spec, each key put under the part's `prefix`
// ("arrivals" + "rate" -> "arrivals.rate").
void append_under(SpecProblems& out, const std::string& prefix, const SpecProblems& problems);

// Throws std::invalid_argument "what: key: message" for the first problem; none: returns.
void require_valid(const SpecProblems& problems, const std::string& what);

}  // namespace cs
