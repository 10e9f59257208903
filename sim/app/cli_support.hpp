#pragma once
// What every subcommand shares: exit codes, the usage error, and option parsing that turns
// Boost.Program_options' errors into messages naming the subcommand.
#include <boost/program_options.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace cs {

constexpr int kExitOk = 0;
constexpr int kExitSimulationError = 1;
constexpr int kExitBadInput = 2;

// Bad command-line usage: reported with a pointer to `clustersim <command> --help`; exit 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace po = boost::program_options;

// Parses `args` (the words after the subcommand). Positional names bind in order.
po::variables_map parse_command_line(const std::string& command, const std::vector<std::string>& args,
                                     const po::options_description& options,
                                     const po::positional_options_description& positional);

// An option's value, or `fallback` when it was not given (the help text states the default).
template <typename T>
T option_or(const po::variables_map& vm, const char* name, T fallback) {
  return vm.count(name) ? vm[name].as<T>() : fallback;
}

// The usage block printed by `clustersim <command> --help`.
std::string help_text(const std::string& synopsis, const std::string& description,
                      const po::options_description& options, const std::string& examples);

}  // namespace cs
