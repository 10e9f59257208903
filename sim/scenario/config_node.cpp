#include "sim/scenario/config_node.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "sim/scenario/config_error.hpp"
#include "sim/scenario/config_file_log.hpp"

namespace cs {

namespace fs = std::filesystem;

std::string SourceLocation::describe() const {
  const std::string name = origin ? *origin : std::string("<unknown>");
  if (line == 0) return "command line (" + name + ")";
  return name + ":" + std::to_string(line) + ":" + std::to_string(column);
}

void throw_config_error(const SourceLocation& where, std::string_view path, std::string_view message) {
  std::string text = where.describe() + ": ";
  if (!path.empty()) text += std::string(path) + ": ";
  text += message;
  throw ConfigError(text);
}

const ConfigNode* ConfigNode::find(std::string_view key) const {
  for (const auto& [k, v] : entries)
    if (k == key) return &v;
  return nullptr;
}

ConfigNode* ConfigNode::find(std::string_view key) {
  for (auto& [k, v] : entries)
    if (k == key) return &v;
  return nullptr;
}

std::string_view ConfigNode::kind_name() const {
  switch (kind) {
    case Kind::kNull:
      return "nothing";
    case Kind::kScalar:
      return "a single value";
    case Kind::kSequence:
      return "a list";
    case Kind::kMap:
      return "a map";
  }
  return "?";
}

namespace {

// YAML aliases let a few lines stand for an exponential tree ("billion laughs": 8 nested
// levels of 9 aliases are 9^8 = 43 million values). No scenario comes near this many values
// (the largest example has a few hundred; long lists belong in trace files); past it the text
// is refused while it is expanded, within a fraction of a second.
constexpr std::size_t kMaxValues = 250'000;
constexpr std::uintmax_t kMaxFileBytes = std::uintmax_t{64} << 20;

class Loader {
 public:
  ConfigNode load_file(const fs::path& path) {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(path, ec);
    if (ec) canonical = path;  // a pipe or a vanished folder: compare as written
    if (std::find(stack_.begin(), stack_.end(), canonical) != stack_.end())
      throw ConfigError(path.string() + ": included from itself (include cycle)");
    // Only a regular file of sane size: /dev/zero or a FIFO would never end.
    std::error_code status_error;
    const fs::file_status status = fs::status(path, status_error);
    if (fs::exists(status) && !fs::is_regular_file(status))
      throw ConfigError(path.string() + ": not a regular file");
    if (fs::is_regular_file(status) && fs::file_size(path, status_error) > kMaxFileBytes)
      throw ConfigError(path.string() + ": larger than " + std::to_string(kMaxFileBytes >> 20) +
                        " MiB; a scenario names its data files instead of holding them");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(path.string() + ": cannot open the file");
    std::stringstream text;
    text << in.rdbuf();
    ConfigFileLog::note(path);
    stack_.push_back(canonical);
    ConfigNode root = load_text(text.str(), path.string(), path.parent_path());
    stack_.pop_back();
    return root;
  }

  ConfigNode load_text(const std::string& text, const std::string& name, const fs::path& dir) {
    auto origin = std::make_shared<const std::string>(name);
    YAML::Node doc;
    try {
      doc = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      throw_config_error({origin, e.mark.line + 1, e.mark.column + 1}, "", "YAML syntax error: " + e.msg);
    }
    ConfigNode root = convert(doc, origin, dir, "");
    if (root.is_null()) return ConfigNode{ConfigNode::Kind::kMap, {}, {}, {}, {origin, 1, 1}, {}};
    if (!root.is_map()) throw_config_error(root.where, "", "the top level must be a map of keys");
    return apply_extends(std::move(root), dir);
  }

 private:
  ConfigNode apply_extends(ConfigNode root, const fs::path& dir) {
    auto it = std::find_if(root.entries.begin(), root.entries.end(), [](auto& e) { return e.first == "extends"; });
    if (it == root.entries.end()) return root;
    ConfigNode spec = std::move(it->second);
    root.entries.erase(it);
    std::vector<ConfigNode> names;
    if (spec.is_scalar())
      names.push_back(spec);
    else if (spec.is_sequence())
      names = spec.items;
    else
      throw_config_error(spec.where, "extends", "expected a file name or a list of file names");
    ConfigNode merged{ConfigNode::Kind::kMap, {}, {}, {}, root.where, {}};
    for (const ConfigNode& n : names) {
      if (!n.is_scalar()) throw_config_error(n.where, "extends", "expected a file name");
      ConfigNode base;
      try {
        base = load_file(dir / n.scalar);
      } catch (const ConfigError& e) {
        throw_config_error(n.where, "extends", e.what());
      }
      merge_into(merged, std::move(base));
    }
    merge_into(merged, std::move(root));
    return merged;
  }

  ConfigNode convert(const YAML::Node& y, const std::shared_ptr<const std::string>& origin, const fs::path& dir,
                     const std::string& path) {
    ConfigNode n;
    n.where = {origin, y.Mark().line + 1, y.Mark().column + 1};
    if (++values_ > kMaxValues)
      throw_config_error(n.where, path,
                         "the document expands to more than " + std::to_string(kMaxValues) +
                             " values (YAML aliases nested too deep?)");
    if (y.Tag() == "!include") {
      if (!y.IsScalar()) throw_config_error(n.where, path, "!include takes a file name");
      try {
        ConfigNode included = load_file(dir / y.Scalar());
        return included;
      } catch (const ConfigError& e) {
        throw_config_error(n.where, path, e.what());
      }
    }
    switch (y.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        n.kind = ConfigNode::Kind::kNull;
        break;
      case YAML::NodeType::Scalar:
        n.kind = ConfigNode::Kind::kScalar;
        n.scalar = y.Scalar();
        break;
      case YAML::NodeType::Sequence:
        n.kind = ConfigNode::Kind::kSequence;
        for (std::size_t i = 0; i < y.size(); ++i)
          n.items.push_back(convert(y[i], origin, dir, path + "[" + std::to_string(i) + "]"));
        break;
      case YAML::NodeType::Map:
        n.kind = ConfigNode::Kind::kMap;
        std::unordered_set<std::string> seen;  // a linear duplicate check: maps may be large
        for (const auto& kv : y) {
          const SourceLocation key_at{origin, kv.first.Mark().line + 1, kv.first.Mark().column + 1};
          if (!kv.first.IsScalar()) throw_config_error(key_at, path, "map keys must be plain names");
          const std::string key = kv.first.Scalar();
          const std::string child = path.empty() ? key : path + "." + key;
          if (!seen.insert(key).second) throw_config_error(key_at, child, "duplicate key (each key may appear once in a map)");
          ConfigNode value = convert(kv.second, origin, dir, child);
          // A key with no value ("key:") has no position of its own: point at the key.
          if (value.is_null()) value.where = key_at;
          value.key_where = key_at;
          n.entries.emplace_back(key, std::move(value));
        }
        break;
    }
    return n;
  }

  std::vector<fs::path> stack_;
  std::size_t values_ = 0;  // converted so far, !include and extends: files included
};

void emit(YAML::Emitter& out, const ConfigNode& n) {
  switch (n.kind) {
    case ConfigNode::Kind::kNull:
      out << YAML::Null;
      break;
    case ConfigNode::Kind::kScalar:
      out << n.scalar;
      break;
    case ConfigNode::Kind::kSequence:
      out << YAML::BeginSeq;
      for (const auto& item : n.items) emit(out, item);
      out << YAML::EndSeq;
      break;
    case ConfigNode::Kind::kMap:
      out << YAML::BeginMap;
      for (const auto& [k, v] : n.entries) {
        out << YAML::Key << k << YAML::Value;
        emit(out, v);
      }
      out << YAML::EndMap;
      break;
  }
}

}  // namespace

ConfigNode load_config_file(const fs::path& path) {
  return Loader().load_file(path);
}

ConfigNode load_config_text(const std::string& text, const std::string& name, const fs::path& base_dir) {
  return Loader().load_text(text, name, base_dir);
}

void merge_into(ConfigNode& base, ConfigNode over) {
  if (!base.is_map() || !over.is_map()) {
    base = std::move(over);
    return;
  }
  // Positions by key: merging two large maps stays linear.
  std::unordered_map<std::string, std::size_t> position;
  for (std::size_t i = 0; i < base.entries.size(); ++i) position.emplace(base.entries[i].first, i);
  for (auto& [key, value] : over.entries) {
    if (const auto it = position.find(key); it != position.end()) {
      merge_into(base.entries[it->second].second, std::move(value));
    } else {
      position.emplace(key, base.entries.size());
      base.entries.emplace_back(key, std::move(value));
    }
  }
}

void apply_override(ConfigNode& root, std::string_view assignment) {
  auto origin = std::make_shared<const std::string>("--set " + std::string(assignment));
  const SourceLocation here{origin, 0, 0};
  const auto eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0)
    throw_config_error(here, "", "expected path=value, for example cluster.pools[0].servers=64");
  const std::string path(assignment.substr(0, eq));
  const std::string value_text(assignment.substr(eq + 1));

  ConfigNode value;
  try {
    value = Loader().load_text("value: " + value_text, *origin, fs::current_path()).entries.at(0).second;
  } catch (const ConfigError&) {
    throw_config_error(here, path, "the value is not valid YAML");
  }
  // Every node of the new value reports the command line as its origin.
  std::vector<ConfigNode*> stack{&value};
  while (!stack.empty()) {
    ConfigNode* n = stack.back();
    stack.pop_back();
    n->where = here;
    n->key_where = here;
    for (auto& item : n->items) stack.push_back(&item);
    for (auto& [k, v] : n->entries) stack.push_back(&v);
  }

  ConfigNode* node = &root;
  std::string walked;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '[') {
      const auto close = path.find(']', i);
      if (close == std::string::npos) throw_config_error(here, path, "unclosed '[' in the path");
      const std::string digits = path.substr(i + 1, close - i - 1);
      if (digits.empty() || !std::all_of(digits.begin(), digits.end(), ::isdigit))
        throw_config_error(here, path, "a list index must be a whole number");
      const std::size_t index = std::stoul(digits);
      walked += "[" + digits + "]";
      if (!node->is_sequence() || index >= node->items.size())
        throw_config_error(here, walked,
                           node->is_sequence()
                               ? "index out of range: the list has " + std::to_string(node->items.size()) + " items"
                               : std::string("is not a list"));
      node = &node->items[index];
      i = close + 1;
      if (i < path.size() && path[i] == '.') ++i;
      continue;
    }
    const auto end = path.find_first_of(".[", i);
    const std::string key = path.substr(i, end == std::string::npos ? std::string::npos : end - i);
    if (key.empty()) throw_config_error(here, path, "empty key in the path");
    walked += walked.empty() ? key : "." + key;
    if (node->is_null()) {
      node->kind = ConfigNode::Kind::kMap;
      node->where = here;
    }
    if (!node->is_map()) throw_config_error(here, walked, "cannot set a key inside " + std::string(node->kind_name()));
    ConfigNode* child = node->find(key);
    if (!child) {
      ConfigNode fresh;
      fresh.where = here;
      fresh.key_where = here;
      node->entries.emplace_back(key, std::move(fresh));
      child = &node->entries.back().second;
    }
    node = child;
    i = end == std::string::npos ? path.size() : end;
    if (i < path.size() && path[i] == '.') ++i;
  }
  *node = std::move(value);
}

std::string to_yaml(const ConfigNode& node) {
  YAML::Emitter out;
  emit(out, node);
  return std::string(out.c_str()) + "\n";
}

}  // namespace cs
