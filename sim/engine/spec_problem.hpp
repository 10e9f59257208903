#pragma once
// What a spec's validate() finds wrong with it: the key path of the offending value, relative
// to the section the spec was read from ("pool.initial_replicas", "replica.chunked_prefill"),
// and why. Specs live in the model layers and know nothing of YAML; the scenario loader turns
// the first problem into a ConfigError at that key's file:line:col (sim/scenario/config_reader).
#include <string>
#include <vector>

namespace cs {

struct SpecProblem {
  std::string key;  // dotted, with [i] for list items; empty: the section itself
  std::string message;
};

using SpecProblems = std::vector<SpecProblem>;

}  // namespace cs
