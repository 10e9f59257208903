#include "sim/app/cli_support.hpp"

#include <sstream>

namespace cs {

po::variables_map parse_command_line(const std::string& command, const std::vector<std::string>& args,
                                     const po::options_description& options,
                                     const po::positional_options_description& positional) {
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(std::string(e.what()) + " (see: clustersim " + command + " --help)");
  }
  return vm;
}

std::string help_text(const std::string& synopsis, const std::string& description,
                      const po::options_description& options, const std::string& examples) {
  std::ostringstream out;
  out << "Usage: " << synopsis << "\n\n" << description << "\n\n" << options;
  if (!examples.empty()) out << "\nExamples:\n" << examples;
  return out.str();
}

}  // namespace cs
