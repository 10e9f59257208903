#include "sim/planning/slo_figures.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "sim/io/h5_handle.hpp"

namespace cs {

namespace {

// A whole 1-D dataset converted to double; empty when the dataset is absent.
std::vector<double> read_column(hid_t file, const std::string& path) {
  if (H5Lexists(file, "/requests", H5P_DEFAULT) <= 0 || H5Lexists(file, path.c_str(), H5P_DEFAULT) <= 0) return {};
  H5Handle set(h5_check(H5Dopen2(file, path.c_str(), H5P_DEFAULT), "open " + path), H5Dclose);
  H5Handle space(h5_check(H5Dget_space(set.get()), "space of " + path), H5Sclose);
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  std::vector<double> out(static_cast<std::size_t>(std::max<hssize_t>(n, 0)));
  if (!out.empty())
    h5_check(H5Dread(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), "read " + path);
  return out;
}

double read_horizon_s(hid_t file) {
  if (H5Aexists_by_name(file, "/meta", "horizon_s", H5P_DEFAULT) <= 0) return std::nan("");
  H5Handle attr(h5_check(H5Aopen_by_name(file, "/meta", "horizon_s", H5P_DEFAULT, H5P_DEFAULT), "horizon_s"),
                H5Aclose);
  double v = 0;
  h5_check(H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &v), "read horizon_s");
  return v;
}

// Nearest-rank p99 (the value 99% of the window's requests are at or below).
double p99(std::vector<double>& v) {
  const auto rank = static_cast<std::size_t>(std::ceil(0.99 * static_cast<double>(v.size())));
  const auto nth = v.begin() + static_cast<std::ptrdiff_t>(std::max<std::size_t>(rank, 1) - 1);
  std::nth_element(v.begin(), nth, v.end());
  return *nth;
}

}  // namespace

double usd_per_1k_tokens(const SummaryValues& summary) {
  const double given = summary_number(summary, "usd_per_1k_tokens");
  if (!std::isnan(given)) return given;
  const double tokens = summary_number(summary, "output_tokens_generated");
  return tokens > 0 ? summary_number(summary, "cost_usd") / tokens * 1000 : std::nan("");
}

double worst_window_ttft_p99_s(const SummaryValues& summary, const std::filesystem::path& run_file, Time window) {
  const double given = summary_number(summary, kWorstWindowTtftKey);
  if (!std::isnan(given)) return given;
  if (!std::filesystem::exists(run_file)) return std::nan("");
  H5Handle file(h5_check(H5Fopen(run_file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open " + run_file.string()),
                H5Fclose);
  const auto arrival = read_column(file.get(), "/requests/arrival_s");
  const auto first_token = read_column(file.get(), "/requests/first_token_s");
  const auto status = read_column(file.get(), "/requests/status");
  if (arrival.empty() || first_token.size() != arrival.size() || status.size() != arrival.size())
    return std::nan("");
  const double horizon_s = read_horizon_s(file.get());
  constexpr double kUnfinished = 3;
  const double w = window.seconds();
  std::map<long, std::vector<double>> by_window;
  for (std::size_t i = 0; i < arrival.size(); ++i) {
    double ttft = first_token[i] - arrival[i];
    if (std::isnan(ttft))
      ttft = status[i] == kUnfinished && !std::isnan(horizon_s) ? horizon_s - arrival[i]
                                                               : std::numeric_limits<double>::infinity();
    by_window[static_cast<long>(std::floor(arrival[i] / w))].push_back(ttft);
  }
  double worst = 0;
  for (auto& [index, ttfts] : by_window) worst = std::max(worst, p99(ttfts));
  return worst;
}

}  // namespace cs
