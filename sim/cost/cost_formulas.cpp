#include "sim/cost/cost_formulas.hpp"

namespace cs {

double usd_for_gpu_seconds(double gpu_seconds, double usd_per_gpu_hour) {
  return gpu_seconds / 3600 * usd_per_gpu_hour;
}

double usd_per_1k_tokens(double usd_per_gpu_hour, int gpus, double tokens_per_s) {
  return usd_for_gpu_seconds(gpus * 1000 / tokens_per_s, usd_per_gpu_hour);
}

double energy_kwh(double power_w, double seconds) {
  return power_w * seconds / 3.6e6;
}

double energy_usd(double power_w, double seconds, double usd_per_kwh, double pue) {
  return energy_kwh(power_w, seconds) * pue * usd_per_kwh;
}

double ownership_usd(double purchase_usd, double power_w, double years, double usd_per_kwh, double pue) {
  return purchase_usd + energy_usd(power_w, years * kSecondsPerYear, usd_per_kwh, pue);
}

}  // namespace cs
