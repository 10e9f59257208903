#pragma once
// A bad scenario: the message always starts with where ("file:line:col: path: ...").
#include <stdexcept>
#include <string>
#include <string_view>

#include "sim/scenario/config_node.hpp"

namespace cs {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "a.yaml:3:7: cluster.pools[1].gpu: <message>"; the path is left out when empty.
[[noreturn]] void throw_config_error(const SourceLocation& where, std::string_view path, std::string_view message);

}  // namespace cs
