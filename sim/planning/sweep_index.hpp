#pragma once
// The index of a sweep: one row per point, in the sweep's order, with the point's number, its
// settings (one column per swept path), seed, status, error, run file, wall time and every
// /summary value of its run (a column per name over all points; empty where a run has none).
// Written as index.csv and as index.h5 (group /index, one dataset per column: numbers as
// float64 where every value of the column is one, text otherwise), each to a temporary name
// and renamed, so a reader never sees half an index.
#include <filesystem>
#include <string>
#include <vector>

#include "sim/planning/point_result.hpp"

namespace cs {

struct IndexTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // as text, one per point
};

IndexTable sweep_index_table(const std::vector<SweepPoint>& points, const std::vector<PointResult>& results);
void write_sweep_index(const std::filesystem::path& folder, const IndexTable& table);

}  // namespace cs
