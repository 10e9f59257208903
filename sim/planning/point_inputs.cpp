#include "sim/planning/point_inputs.hpp"

#include <algorithm>
#include <exception>
#include <vector>

#include "sim/io/build_id.hpp"
#include "sim/io/file_digest.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace cs {

Scenario load_point_scenario(const SweepPoint& p) {
  LoadOptions load;
  load.overrides = p.overrides();
  load.seed = p.seed;
  return load_scenario(p.scenario, load);
}

std::string point_inputs(const Scenario& scenario) {
  std::string text = std::string("clustersim ") + CLUSTERSIM_VERSION + " build " + build_id() + "\n";
  std::vector<std::filesystem::path> files = scenario.config_files;
  for (const InputFile& f : scenario.input_files) files.emplace_back(f.path);
  std::vector<std::filesystem::path> seen;
  for (const auto& file : files) {
    std::error_code ec;
    std::filesystem::path canonical = std::filesystem::weakly_canonical(file, ec);
    if (ec) canonical = file;
    if (std::find(seen.begin(), seen.end(), canonical) != seen.end()) continue;
    seen.push_back(canonical);
    const FileDigest d = digest_file(canonical);
    text += canonical.string() + " " + std::to_string(d.bytes) + " " + d.sha256 + "\n";
  }
  return text;
}

std::string point_inputs(const SweepPoint& p) {
  try {
    return point_inputs(load_point_scenario(p));
  } catch (const std::exception& e) {
    return std::string("does not load: ") + e.what() + "\n";
  }
}

}  // namespace cs
