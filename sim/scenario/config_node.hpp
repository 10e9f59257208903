#pragma once
// The scenario as a tree that remembers where every value came from (file, line, column, or
// a --set on the command line), so that every error can point at the text the user wrote.
// It is built from YAML once, merged (extends:, !include, --set), then read by the typed
// readers in config_reader.hpp. Nothing outside sim/scenario/ sees YAML.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cs {

struct SourceLocation {
  std::shared_ptr<const std::string> origin;  // a file path, or "--set key=value"
  int line = 0;                               // 1-based; 0 when not from a file
  int column = 0;
  // "configs/scenarios/a.yaml:12:5" or "command line (--set key=value)".
  std::string describe() const;
};

class ConfigNode {
 public:
  enum class Kind { kNull, kScalar, kSequence, kMap };

  Kind kind = Kind::kNull;
  std::string scalar;                                       // kScalar
  std::vector<ConfigNode> items;                            // kSequence
  std::vector<std::pair<std::string, ConfigNode>> entries;  // kMap, in file order
  SourceLocation where;
  SourceLocation key_where;  // for a map entry's value: where its key was written

  const ConfigNode* find(std::string_view key) const;
  ConfigNode* find(std::string_view key);
  bool is_map() const { return kind == Kind::kMap; }
  bool is_scalar() const { return kind == Kind::kScalar; }
  bool is_sequence() const { return kind == Kind::kSequence; }
  bool is_null() const { return kind == Kind::kNull; }
  std::string_view kind_name() const;
};

// Reads a YAML file into a tree. `extends: base.yaml` (or a list) at the top level merges the
// named files first (paths relative to this file) and lays this file over them: maps merge key
// by key, anything else is replaced. A value tagged `!include other.yaml` is replaced by that
// file's tree. Include cycles, unreadable files and YAML syntax errors throw ConfigError.
ConfigNode load_config_file(const std::filesystem::path& path);
// The same from text already in memory; `name` stands for the file in messages.
ConfigNode load_config_text(const std::string& text, const std::string& name, const std::filesystem::path& base_dir);

// Lays `over` onto `base` with the merge rule above.
void merge_into(ConfigNode& base, ConfigNode over);

// Applies "a.b[2].c=value" (value read as YAML: 64, 2.5 h, [1, 2], {k: v}). Intermediate maps
// are created; sequence indices must exist. Throws ConfigError naming the assignment.
void apply_override(ConfigNode& root, std::string_view assignment);

// The tree written back as YAML (block style), to record what a run actually used.
std::string to_yaml(const ConfigNode& node);

}  // namespace cs
