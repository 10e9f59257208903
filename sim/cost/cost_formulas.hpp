#pragma once
// Money from time and energy: rented GPU-hours, dollars per token, electricity over a
// lifetime. Plain functions of SI quantities so the estimate, the planner and the run-time
// accounting agree on one formula each.
namespace cs {

double usd_for_gpu_seconds(double gpu_seconds, double usd_per_gpu_hour);
// Cost of 1,000 tokens on a replica of `gpus` GPUs producing `tokens_per_s`.
double usd_per_1k_tokens(double usd_per_gpu_hour, int gpus, double tokens_per_s);
double energy_kwh(double power_w, double seconds);
// Electricity bill: energy x PUE (facility overhead: cooling, conversion) x price.
double energy_usd(double power_w, double seconds, double usd_per_kwh, double pue = 1.0);
// Owning hardware for `years`: purchase price plus electricity at constant draw.
double ownership_usd(double purchase_usd, double power_w, double years, double usd_per_kwh, double pue = 1.0);

inline constexpr double kSecondsPerYear = 365.25 * 24 * 3600;

}  // namespace cs
