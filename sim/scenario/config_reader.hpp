#pragma once
// Typed, path-aware reading of a ConfigNode map. Each getter records the key as known, so
// finish() can reject every key nobody asked for, with the nearest known key as a hint.
// Errors carry file:line:col and the dotted path ("cluster.pools[1].gpu").
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/engine/time.hpp"
#include "sim/scenario/config_error.hpp"
#include "sim/scenario/config_node.hpp"
#include "sim/scenario/nearest_name.hpp"
#include "sim/scenario/quantity.hpp"

namespace cs {

// Single values, usable on list items as well as map entries.
std::string read_string(const ConfigNode& n, std::string_view path);
double read_number(const ConfigNode& n, std::string_view path);
std::int64_t read_integer(const ConfigNode& n, std::string_view path);
bool read_boolean(const ConfigNode& n, std::string_view path);
double read_quantity(const ConfigNode& n, std::string_view path, Dimension d);
Time read_duration(const ConfigNode& n, std::string_view path);

struct ConfigItem {
  const ConfigNode& node;
  std::string path;
};

class MapReader {
 public:
  // Throws unless `node` is a map. An absent section can be read as an empty map.
  MapReader(const ConfigNode& node, std::string path);
  static MapReader empty(const SourceLocation& where, std::string path);

  const std::string& path() const { return path_; }
  std::string path_of(std::string_view key) const;
  const ConfigNode& node() const { return *node_; }

  bool has(std::string_view key);
  const ConfigNode* optional(std::string_view key);
  const ConfigNode& required(std::string_view key);

  std::string string(std::string_view key);
  std::string string_or(std::string_view key, std::string fallback);
  double number(std::string_view key);
  double number_or(std::string_view key, double fallback);
  std::int64_t integer(std::string_view key);
  std::int64_t integer_or(std::string_view key, std::int64_t fallback);
  bool boolean_or(std::string_view key, bool fallback);
  double quantity(std::string_view key, Dimension d);
  double quantity_or(std::string_view key, Dimension d, double fallback);
  Time duration(std::string_view key);
  Time duration_or(std::string_view key, Time fallback);

  // A sub-map; an absent key reads as an empty map when `allow_missing`.
  MapReader map(std::string_view key, bool allow_missing = false);
  // The items of a list (a missing key gives none).
  std::vector<ConfigItem> items(std::string_view key);

  // One of a fixed set of names.
  template <typename E>
  E choice(std::string_view key, std::initializer_list<std::pair<std::string_view, E>> options);
  template <typename E>
  E choice_or(std::string_view key, std::initializer_list<std::pair<std::string_view, E>> options, E fallback);

  // Throws for a value outside [lo, hi] with the key's location.
  void check_range(std::string_view key, double value, double lo, double hi);
  [[noreturn]] void fail(std::string_view key, std::string_view message);

  // Rejects keys no getter asked for: "unknown key 'sevrers'; did you mean 'servers'?".
  void finish();

 private:
  void mark(std::string_view key);
  template <typename E>
  E pick(const ConfigNode& n, std::string_view key, std::initializer_list<std::pair<std::string_view, E>> options);

  std::shared_ptr<const ConfigNode> owned_;  // the empty map made by empty()
  const ConfigNode* node_;
  std::string path_;
  std::vector<std::string> known_;
};

template <typename E>
E MapReader::pick(const ConfigNode& n, std::string_view key,
                  std::initializer_list<std::pair<std::string_view, E>> options) {
  const std::string value = read_string(n, path_of(key));
  std::vector<std::string> names;
  for (const auto& [name, e] : options) {
    if (name == value) return e;
    names.emplace_back(name);
  }
  std::string message = "unknown value '" + value + "'; expected " + join_names(names);
  const std::string hint = nearest_name(value, names);
  if (!hint.empty()) message += " (did you mean '" + hint + "'?)";
  throw_config_error(n.where, path_of(key), message);
}

template <typename E>
E MapReader::choice(std::string_view key, std::initializer_list<std::pair<std::string_view, E>> options) {
  return pick(required(key), key, options);
}

template <typename E>
E MapReader::choice_or(std::string_view key, std::initializer_list<std::pair<std::string_view, E>> options,
                       E fallback) {
  const ConfigNode* n = optional(key);
  return n ? pick(*n, key, options) : fallback;
}

}  // namespace cs
