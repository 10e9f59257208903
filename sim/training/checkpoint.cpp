#include "sim/training/checkpoint.hpp"

#include <cmath>
#include <stdexcept>

namespace cs {

Time checkpoint_write_time(double checkpoint_bytes, double storage_bytes_per_s) {
  if (!(storage_bytes_per_s > 0)) throw std::invalid_argument("checkpoint storage bandwidth must be positive");
  if (checkpoint_bytes < 0) throw std::invalid_argument("checkpoint size must not be negative");
  return Time::from_seconds_ceil(checkpoint_bytes / storage_bytes_per_s);
}

double training_checkpoint_bytes(double parameters) {
  return 14.0 * parameters;
}

Time young_daly_interval(Time job_mtbf, Time write_time) {
  return Time::from_seconds_ceil(std::sqrt(2.0 * job_mtbf.seconds() * write_time.seconds()));
}

double expected_lost_work_per_failure_s(Time interval, Time job_mtbf) {
  const double mean = job_mtbf.seconds();
  if (!(mean > 0)) throw std::invalid_argument("job MTBF must be positive");
  if (interval <= Time()) return mean;
  const double lambda_t = interval.seconds() / mean;
  // 1/λ − T/(e^{λT} − 1); expm1 keeps it accurate when λT is small.
  return mean - interval.seconds() / std::expm1(lambda_t);
}

}  // namespace cs
