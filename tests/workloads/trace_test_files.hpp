#pragma once
// Small files for trace-reader tests, written under the build tree, one folder per process.
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <unistd.h>

namespace cs::test {

inline std::string write_test_file(std::string_view name, std::string_view content) {
  const auto dir = std::filesystem::path(CLUSTERSIM_BINARY_DIR) / "test_tmp" / ("workloads_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / std::string(name);
  std::ofstream(path, std::ios::binary) << content;
  return path.string();
}

inline std::string trace_path(std::string_view file) { return std::string(CLUSTERSIM_TRACE_DIR) + "/" + std::string(file); }

}  // namespace cs::test
