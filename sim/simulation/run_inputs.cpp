#include "sim/simulation/run_inputs.hpp"

#include <algorithm>
#include <system_error>

namespace cs {

std::vector<RunInput> run_inputs(const Scenario& scenario) {
  std::vector<RunInput> named;
  for (const auto& file : scenario.config_files) named.push_back({kLoadedByConfig, file, {}});
  for (const InputFile& f : scenario.input_files) named.push_back({f.key, f.path, {}});
  std::vector<RunInput> out;
  for (RunInput& input : named) {
    std::error_code ec;
    std::filesystem::path canonical = std::filesystem::weakly_canonical(input.path, ec);
    if (ec) canonical = input.path;
    // A file read twice (a trace the load opened to check and a stream reads, a catalog two
    // pools name) counts once, under the scenario key that names it where one does.
    const auto seen = std::find_if(out.begin(), out.end(), [&](const RunInput& r) { return r.path == canonical; });
    if (seen != out.end()) {
      if (seen->key == kLoadedByConfig) seen->key = input.key;
      continue;
    }
    input.path = canonical;
    input.digest = digest_file(canonical);
    out.push_back(std::move(input));
  }
  return out;
}

}  // namespace cs
