#include "sim/planning/point_result.hpp"

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

namespace cs {

std::string PointResult::json() const {
  nlohmann::ordered_json j;
  j["key"] = key;
  j["status"] = ok ? "ok" : "failed";
  j["error"] = error;
  j["wall_s"] = wall_s;
  j["seed"] = seed;
  j["run_file"] = run_file;
  j["inputs"] = inputs;
  nlohmann::ordered_json s = nlohmann::ordered_json::object();
  for (const auto& [name, value] : summary) s[name] = value;
  j["summary"] = s;
  return j.dump(1);
}

PointResult PointResult::from_json(const std::string& text) {
  try {
    const auto j = nlohmann::ordered_json::parse(text);
    PointResult r;
    r.key = j.at("key").get<std::string>();
    r.ok = j.at("status").get<std::string>() == "ok";
    r.error = j.at("error").get<std::string>();
    r.wall_s = j.at("wall_s").get<double>();
    r.seed = j.at("seed").get<std::uint64_t>();
    r.run_file = j.at("run_file").get<std::string>();
    r.inputs = j.at("inputs").get<std::string>();  // absent: stored before inputs were (run again)
    for (const auto& [name, value] : j.at("summary").items()) r.summary.emplace_back(name, value.get<std::string>());
    return r;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("malformed point result: ") + e.what());
  }
}

std::filesystem::path point_result_file(const std::filesystem::path& folder, const SweepPoint& p) {
  return folder / "points" / (p.stem() + ".json");
}

std::filesystem::path point_run_file(const std::filesystem::path& folder, const SweepPoint& p) {
  return folder / "points" / (p.stem() + ".h5");
}

void write_point_result(const std::filesystem::path& folder, const SweepPoint& p, const PointResult& r) {
  const auto file = point_result_file(folder, p);
  std::filesystem::create_directories(file.parent_path());
  const auto temporary = file.string() + ".partial";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << r.json() << "\n";
    if (!out) throw std::runtime_error("cannot write " + temporary);
  }
  std::filesystem::rename(temporary, file);
}

std::optional<PointResult> read_point_result(const std::filesystem::path& folder, const SweepPoint& p) {
  std::ifstream in(point_result_file(folder, p));
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  try {
    PointResult r = PointResult::from_json(text.str());
    if (r.key != p.key()) return std::nullopt;
    return r;
  } catch (const std::runtime_error&) {
    return std::nullopt;  // a file from elsewhere: the point is simply run again
  }
}

double summary_number(const SummaryValues& s, const std::string& key) {
  for (const auto& [name, value] : s) {
    if (name != key) continue;
    if (value == "inf") return std::numeric_limits<double>::infinity();
    char* end = nullptr;
    const double v = std::strtod(value.c_str(), &end);
    return end && *end == '\0' && end != value.c_str() ? v : std::nan("");
  }
  return std::nan("");
}

}  // namespace cs
