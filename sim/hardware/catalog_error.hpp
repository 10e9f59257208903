#pragma once
// A name that a catalog does not hold. The message lists the names it does hold, so a typo on
// the command line is fixed without opening the YAML.
#include <stdexcept>
#include <string>
#include <vector>

namespace cs {

class UnknownNameError : public std::invalid_argument {
 public:
  UnknownNameError(const std::string& kind, const std::string& name,
                   const std::vector<std::string>& known);
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

}  // namespace cs
