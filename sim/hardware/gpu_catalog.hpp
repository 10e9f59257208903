#pragma once
// GPU specs by name. Names are matched case-insensitively, with '_' and ' ' read as '-', so
// "H100_SXM" finds "h100-sxm"; aliases ("a100" -> "a100-80gb-sxm") are plain extra keys.
#include <map>
#include <string>
#include <vector>

#include "sim/hardware/gpu_spec.hpp"

namespace cs {

class GpuCatalog {
 public:
  // Adds or replaces (a scenario's own entry overrides the catalog's of the same name).
  void add(GpuSpec gpu);
  void add_alias(const std::string& alias, const std::string& name);
  const GpuSpec& get(const std::string& name) const;  // throws UnknownNameError
  const GpuSpec* find(const std::string& name) const;
  bool contains(const std::string& name) const { return find(name) != nullptr; }
  std::vector<std::string> names() const;  // canonical names, sorted
  std::size_t size() const { return specs_.size(); }

 private:
  std::map<std::string, GpuSpec> specs_;
  std::map<std::string, std::string> aliases_;
};

// The canonical key form: lower case, '_' and ' ' turned to '-'.
std::string catalog_key(const std::string& name);

}  // namespace cs
