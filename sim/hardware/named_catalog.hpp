#pragma once
// Specs by name (GPUs, models). Names are matched case-insensitively with '_' and ' ' read as
// '-', so "H100_SXM" finds "h100-sxm"; aliases ("a100" -> "a100-80gb-sxm") are extra keys. A
// name it does not hold raises UnknownNameError listing the names it does hold, so a typo on
// the command line is fixed without opening the YAML.
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace cs {

class UnknownNameError : public std::invalid_argument {
 public:
  UnknownNameError(const std::string& kind, const std::string& name, const std::vector<std::string>& known);
};

// The canonical key form: lower case, '_' and ' ' turned to '-'.
std::string catalog_key(const std::string& name);

// Spec needs a `name` member and a free `validate(const Spec&)` found by lookup.
template <typename Spec>
class NamedCatalog {
 public:
  explicit NamedCatalog(std::string kind) : kind_(std::move(kind)) {}

  // Adds or replaces (a scenario's own entry overrides the catalog's of the same name).
  void add(Spec spec) {
    validate(spec);
    spec.name = catalog_key(spec.name);
    std::string key = spec.name;
    specs_.insert_or_assign(std::move(key), std::move(spec));
  }
  void add_alias(const std::string& alias, const std::string& name) {
    const std::string target = get(name).name;
    aliases_.insert_or_assign(catalog_key(alias), target);
  }
  const Spec* find(const std::string& name) const {
    std::string key = catalog_key(name);
    if (auto a = aliases_.find(key); a != aliases_.end()) key = a->second;
    auto it = specs_.find(key);
    return it == specs_.end() ? nullptr : &it->second;
  }
  const Spec& get(const std::string& name) const {
    if (const Spec* s = find(name)) return *s;
    throw UnknownNameError(kind_, name, names());
  }
  bool contains(const std::string& name) const { return find(name) != nullptr; }
  std::vector<std::string> names() const {  // canonical names, sorted
    std::vector<std::string> out;
    for (const auto& entry : specs_) out.push_back(entry.first);
    return out;
  }
  // Aliases that lead to `name`, sorted.
  std::vector<std::string> aliases_of(const std::string& name) const {
    std::vector<std::string> out;
    for (const auto& [alias, target] : aliases_)
      if (target == catalog_key(name)) out.push_back(alias);
    return out;
  }
  std::size_t size() const { return specs_.size(); }
  const std::string& kind() const { return kind_; }

 private:
  std::string kind_;
  std::map<std::string, Spec> specs_;
  std::map<std::string, std::string> aliases_;
};

}  // namespace cs
