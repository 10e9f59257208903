#pragma once
// Writes scenario files into a fresh temporary folder for a test, and removes it afterwards.
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace cs::test {

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("clustersim-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::filesystem::path write(const std::string& name, const std::string& text) const {
    const auto p = path_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A valid scenario to start from; tests replace one line to break it.
inline const char* kValidScenario =
    "name: t\n"
    "seed: 3\n"
    "simulation:\n"
    "  horizon: 10 min\n"
    "  sample_interval: 30 s\n"
    "queueing:\n"
    "  arrivals:\n"
    "    process: poisson\n"
    "    rate: 5/s\n"
    "  service_time:\n"
    "    distribution: exponential\n"
    "    mean: 1 s\n"
    "  servers: 8\n"
    "  price: $1.50/h\n";

// A serving scenario up to its pool's first keys: ten minutes of a Poisson 5/s stream of
// 1,000-token prompts and 100-token answers on `model` on H100s; `pool_keys` follow `serving:`.
inline std::string serving_scenario(const std::string& model, const std::string& pool_keys) {
  return "name: s\n"
         "simulation: {horizon: 10 min}\n"
         "workload:\n"
         "  synthetic:\n"
         "    arrivals: {process: poisson, rate: 5/s}\n"
         "    input_tokens: {distribution: fixed, mean: 1000}\n"
         "    output_tokens: {distribution: fixed, mean: 100}\n"
         "serving:\n"
         "  model: " +
         model +
         "\n"
         "  gpu: h100-sxm\n" +
         pool_keys;
}

}  // namespace cs::test
