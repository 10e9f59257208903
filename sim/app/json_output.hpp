#pragma once
// The one way the CLI writes JSON (`estimate --json`, `collective --json`, `run --json`): keys in
// the order they are added, a non-finite number as null (JSON has no NaN or infinity: a figure
// that does not exist, such as a percentile of no requests), objects indented by two spaces,
// and a list of rows one row per line (as nccl-tests prints one size per line).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace cs {

class JsonObject {
 public:
  JsonObject& add(const std::string& key, double v);
  JsonObject& add(const std::string& key, int v);
  JsonObject& add(const std::string& key, std::int64_t v);
  JsonObject& add(const std::string& key, std::uint64_t v);
  JsonObject& add(const std::string& key, bool v);
  JsonObject& add(const std::string& key, const std::string& v);
  JsonObject& add(const std::string& key, const char* v);
  JsonObject& add(const std::string& key, JsonObject v);

  // The object, indented, and a newline.
  void print(std::ostream& out) const;

 private:
  friend void print_json_rows(std::ostream& out, const std::vector<JsonObject>& rows);
  nlohmann::ordered_json body_ = nlohmann::ordered_json::object();
};

// A list of objects, one compact object per line.
void print_json_rows(std::ostream& out, const std::vector<JsonObject>& rows);

}  // namespace cs
