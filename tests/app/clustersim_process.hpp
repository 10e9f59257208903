#pragma once
// Runs the real clustersim executable for the CLI tests, stdout and stderr captured. Every
// run is under `timeout`: a hang fails the test (exit 124) instead of stalling the suite.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "../scenario/scenario_test_files.hpp"

namespace cs::test {

struct Outcome {
  int exit_code;
  std::string out, err;
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// `clustersim <args>`, run by /bin/sh from `dir`; `prefix` goes before the command (a ulimit,
// an environment variable).
inline Outcome clustersim(const TempDir& dir, const std::string& args, const std::string& prefix = "") {
  const std::filesystem::path out = dir.path() / "stdout.txt", err = dir.path() / "stderr.txt";
  const std::string cmd = "cd " + dir.path().string() + " && " + prefix + " timeout 20 " + CLUSTERSIM_EXE + " " +
                          args + " >" + out.string() + " 2>" + err.string();
  const int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
}

}  // namespace cs::test
