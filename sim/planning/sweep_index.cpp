#include "sim/planning/sweep_index.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>

#include "sim/io/columnar_writer.hpp"

namespace cs {

namespace {

std::string csv_field(const std::string& v) {
  if (v.find_first_of(",\"\n\r") == std::string::npos) return v;
  std::string out = "\"";
  for (const char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

bool is_number(const std::string& v, double& out) {
  if (v.empty()) {
    out = std::nan("");
    return true;  // an empty cell is a missing number
  }
  char* end = nullptr;
  out = std::strtod(v.c_str(), &end);
  return end && *end == '\0';
}

void write_csv(const std::filesystem::path& file, const IndexTable& t) {
  const std::string temporary = file.string() + ".partial";
  {
    std::ofstream out(temporary, std::ios::trunc);
    for (std::size_t c = 0; c < t.columns.size(); ++c) out << (c ? "," : "") << csv_field(t.columns[c]);
    out << "\n";
    for (const auto& row : t.rows) {
      for (std::size_t c = 0; c < row.size(); ++c) out << (c ? "," : "") << csv_field(row[c]);
      out << "\n";
    }
    if (!out) throw std::runtime_error("cannot write " + temporary);
  }
  std::filesystem::rename(temporary, file);
}

void write_h5(const std::filesystem::path& file, const IndexTable& t) {
  const std::string temporary = file.string() + ".partial";
  {
    H5Handle f(h5_check(H5Fcreate(temporary.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "create " + temporary),
               H5Fclose);
    std::vector<ColumnSpec> specs;
    std::vector<bool> numeric(t.columns.size(), true);
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
      std::size_t longest = 1;
      for (const auto& row : t.rows) {
        double v;
        if (!is_number(row[c], v)) numeric[c] = false;
        longest = std::max(longest, row[c].size());
      }
      ColumnSpec s{t.columns[c], "", numeric[c] ? ColumnType::kFloat64 : ColumnType::kString, "", longest};
      specs.push_back(s);
    }
    // ColumnarWriter takes numeric and text values apart, each in declaration order.
    ColumnarWriter table(f.get(), "index", specs);
    for (const auto& row : t.rows) {
      std::vector<double> numbers;
      std::vector<std::string_view> texts;
      for (std::size_t c = 0; c < row.size(); ++c) {
        double v;
        if (numeric[c] && is_number(row[c], v)) numbers.push_back(v);
        else texts.push_back(row[c]);
      }
      table.append(numbers, texts);
    }
    table.flush();
  }
  std::filesystem::rename(temporary, file);
}

}  // namespace

IndexTable sweep_index_table(const std::vector<SweepPoint>& points, const std::vector<PointResult>& results) {
  std::vector<std::string> paths, names;
  for (const auto& p : points)
    for (const auto& [path, value] : p.settings)
      if (std::find(paths.begin(), paths.end(), path) == paths.end()) paths.push_back(path);
  for (const auto& r : results)
    for (const auto& [name, value] : r.summary)
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  IndexTable t;
  t.columns = {"point"};
  t.columns.insert(t.columns.end(), paths.begin(), paths.end());
  for (const char* c : {"seed", "status", "error", "run_file", "wall_s"}) t.columns.emplace_back(c);
  t.columns.insert(t.columns.end(), names.begin(), names.end());
  for (std::size_t i = 0; i < points.size(); ++i) {
    const SweepPoint& p = points[i];
    const PointResult& r = results.at(i);
    std::vector<std::string> row{std::to_string(i)};
    for (const auto& path : paths) {
      std::string value;
      for (const auto& [sp, sv] : p.settings)
        if (sp == path) value = sv;
      row.push_back(value);
    }
    char wall[32];
    std::snprintf(wall, sizeof wall, "%.3f", r.wall_s);
    row.insert(row.end(), {std::to_string(p.seed.value_or(r.seed)), r.ok ? "ok" : "failed", r.error,
                           r.ok ? r.run_file : "", wall});
    std::map<std::string, std::string> by_name(r.summary.begin(), r.summary.end());
    for (const auto& n : names) row.push_back(by_name.count(n) ? by_name[n] : "");
    t.rows.push_back(std::move(row));
  }
  return t;
}

void write_sweep_index(const std::filesystem::path& folder, const IndexTable& table) {
  std::filesystem::create_directories(folder);
  write_csv(folder / "index.csv", table);
  write_h5(folder / "index.h5", table);
}

}  // namespace cs
