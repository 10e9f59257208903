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

}  // namespace cs::test
