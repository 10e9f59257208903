#pragma once
// The subcommands of the clustersim executable. Each lives in its own cmd_<name>.cpp and is
// listed once in commands.cpp.
#include <string>
#include <vector>

namespace cs {

struct Command {
  const char* name;
  const char* summary;  // one line for `clustersim --help`
  int (*run)(const std::vector<std::string>& args);
};

const std::vector<Command>& commands();

int cmd_run(const std::vector<std::string>& args);
int cmd_validate(const std::vector<std::string>& args);
int cmd_estimate(const std::vector<std::string>& args);
int cmd_catalog(const std::vector<std::string>& args);
int cmd_collective(const std::vector<std::string>& args);
int cmd_sweep(const std::vector<std::string>& args);
int cmd_plan(const std::vector<std::string>& args);

}  // namespace cs
