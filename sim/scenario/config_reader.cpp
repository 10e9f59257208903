#include "sim/scenario/config_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace cs {

namespace {
const ConfigNode& scalar(const ConfigNode& n, std::string_view path, std::string_view expected) {
  if (!n.is_scalar())
    throw_config_error(n.where, path, "expected " + std::string(expected) + ", got " + std::string(n.kind_name()));
  return n;
}
}  // namespace

std::string read_string(const ConfigNode& n, std::string_view path) {
  return scalar(n, path, "a text value").scalar;
}

double read_number(const ConfigNode& n, std::string_view path) {
  const std::string& s = scalar(n, path, "a number").scalar;
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v))
    throw_config_error(n.where, path, "expected a number, got '" + s + "'");
  return v;
}

std::int64_t read_integer(const ConfigNode& n, std::string_view path) {
  const std::string& s = scalar(n, path, "a whole number").scalar;
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || errno == ERANGE)
    throw_config_error(n.where, path, "expected a whole number, got '" + s + "'");
  return v;
}

bool read_boolean(const ConfigNode& n, std::string_view path) {
  const std::string& s = scalar(n, path, "true or false").scalar;
  if (s == "true" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "no" || s == "off") return false;
  throw_config_error(n.where, path, "expected true or false, got '" + s + "'");
}

double read_quantity(const ConfigNode& n, std::string_view path, Dimension d) {
  const std::string& s = scalar(n, path, describe(d)).scalar;
  try {
    return parse_quantity(s, d);
  } catch (const QuantityError& e) {
    throw_config_error(n.where, path, e.what());
  }
}

Time read_duration(const ConfigNode& n, std::string_view path) {
  const std::string& s = scalar(n, path, describe(Dimension::kDuration)).scalar;
  try {
    return parse_duration(s);
  } catch (const QuantityError& e) {
    throw_config_error(n.where, path, e.what());
  }
}

MapReader::MapReader(const ConfigNode& node, std::string path) : node_(&node), path_(std::move(path)) {
  if (!node.is_map())
    throw_config_error(node.where, path_, "expected a map of keys, got " + std::string(node.kind_name()));
}

MapReader MapReader::empty(const SourceLocation& where, std::string path) {
  auto node = std::make_shared<ConfigNode>();
  node->kind = ConfigNode::Kind::kMap;
  node->where = where;
  MapReader r(*node, std::move(path));
  r.owned_ = std::move(node);
  return r;
}

std::string MapReader::path_of(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void MapReader::mark(std::string_view key) {
  if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
}

bool MapReader::has(std::string_view key) {
  mark(key);
  const ConfigNode* n = node_->find(key);
  return n && !n->is_null();
}

const ConfigNode* MapReader::optional(std::string_view key) {
  mark(key);
  const ConfigNode* n = node_->find(key);
  return n && !n->is_null() ? n : nullptr;
}

const ConfigNode& MapReader::required(std::string_view key) {
  mark(key);
  const ConfigNode* n = node_->find(key);
  if (!n) {
    // A misspelling of the missing key is the likelier mistake: name it where it was written.
    for (const auto& [other, value] : node_->entries)
      if (!nearest_name(other, {std::string(key)}).empty())
        throw_config_error(value.key_where.origin ? value.key_where : value.where, path_of(other),
                           "unknown key '" + other + "'; did you mean '" + std::string(key) + "'?");
    throw_config_error(node_->where, path_, "missing required key '" + std::string(key) + "'");
  }
  if (n->is_null()) throw_config_error(n->where, path_of(key), "a value is required");
  return *n;
}

std::string MapReader::string(std::string_view key) {
  return read_string(required(key), path_of(key));
}
std::string MapReader::string_or(std::string_view key, std::string fallback) {
  const ConfigNode* n = optional(key);
  return n ? read_string(*n, path_of(key)) : fallback;
}
double MapReader::number(std::string_view key) {
  return read_number(required(key), path_of(key));
}
double MapReader::number_or(std::string_view key, double fallback) {
  const ConfigNode* n = optional(key);
  return n ? read_number(*n, path_of(key)) : fallback;
}
std::int64_t MapReader::integer(std::string_view key) {
  return read_integer(required(key), path_of(key));
}
std::int64_t MapReader::integer_or(std::string_view key, std::int64_t fallback) {
  const ConfigNode* n = optional(key);
  return n ? read_integer(*n, path_of(key)) : fallback;
}
bool MapReader::boolean_or(std::string_view key, bool fallback) {
  const ConfigNode* n = optional(key);
  return n ? read_boolean(*n, path_of(key)) : fallback;
}
double MapReader::quantity(std::string_view key, Dimension d) {
  return read_quantity(required(key), path_of(key), d);
}
double MapReader::quantity_or(std::string_view key, Dimension d, double fallback) {
  const ConfigNode* n = optional(key);
  return n ? read_quantity(*n, path_of(key), d) : fallback;
}
Time MapReader::duration(std::string_view key) {
  return read_duration(required(key), path_of(key));
}
Time MapReader::duration_or(std::string_view key, Time fallback) {
  const ConfigNode* n = optional(key);
  return n ? read_duration(*n, path_of(key)) : fallback;
}

MapReader MapReader::map(std::string_view key, bool allow_missing) {
  const ConfigNode* n = optional(key);
  if (!n) {
    if (allow_missing) return empty(node_->where, path_of(key));
    required(key);  // throws with the right message
  }
  return MapReader(*n, path_of(key));
}

std::vector<ConfigItem> MapReader::items(std::string_view key) {
  std::vector<ConfigItem> out;
  const ConfigNode* n = optional(key);
  if (!n) return out;
  if (!n->is_sequence())
    throw_config_error(n->where, path_of(key), "expected a list, got " + std::string(n->kind_name()));
  for (std::size_t i = 0; i < n->items.size(); ++i)
    out.push_back({n->items[i], path_of(key) + "[" + std::to_string(i) + "]"});
  return out;
}

void MapReader::check_range(std::string_view key, double value, double lo, double hi) {
  if (value >= lo && value <= hi) return;
  std::string range;
  if (hi == HUGE_VAL)
    range = "at least " + std::to_string(lo);
  else
    range = "between " + std::to_string(lo) + " and " + std::to_string(hi);
  fail(key, "value " + std::to_string(value) + " is out of range: expected " + range);
}

void MapReader::fail(std::string_view key, std::string_view message) {
  const ConfigNode* n = node_->find(key);
  throw_config_error(n ? n->where : node_->where, path_of(key), message);
}

void MapReader::finish() {
  for (const auto& [key, value] : node_->entries) {
    if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
    std::string message = "unknown key '" + key + "'";
    const std::string hint = nearest_name(key, known_);
    if (!hint.empty())
      message += "; did you mean '" + hint + "'?";
    else
      message += "; known keys here: " + join_names(known_);
    throw_config_error(value.key_where.origin ? value.key_where : value.where, path_of(key), message);
  }
}

}  // namespace cs
