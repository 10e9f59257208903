#include "sim/app/json_output.hpp"

#include <cmath>

namespace cs {

JsonObject& JsonObject::add(const std::string& key, double v) {
  body_[key] = std::isfinite(v) ? nlohmann::ordered_json(v) : nullptr;
  return *this;
}
JsonObject& JsonObject::add(const std::string& key, int v) {
  body_[key] = v;
  return *this;
}
JsonObject& JsonObject::add(const std::string& key, std::int64_t v) {
  body_[key] = v;
  return *this;
}
JsonObject& JsonObject::add(const std::string& key, std::uint64_t v) {
  body_[key] = v;
  return *this;
}
JsonObject& JsonObject::add(const std::string& key, bool v) {
  body_[key] = v;
  return *this;
}
JsonObject& JsonObject::add(const std::string& key, const std::string& v) {
  body_[key] = v;
  return *this;
}
JsonObject& JsonObject::add(const std::string& key, const char* v) {
  body_[key] = v;
  return *this;
}
JsonObject& JsonObject::add(const std::string& key, JsonObject v) {
  body_[key] = std::move(v.body_);
  return *this;
}

void JsonObject::print(std::ostream& out) const {
  out << body_.dump(2) << "\n";
}

void print_json_rows(std::ostream& out, const std::vector<JsonObject>& rows) {
  out << "[";
  for (std::size_t i = 0; i < rows.size(); ++i) out << (i ? ",\n " : "\n ") << rows[i].body_.dump();
  out << "\n]\n";
}

}  // namespace cs
