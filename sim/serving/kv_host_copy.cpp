#include "sim/serving/kv_host_copy.hpp"

#include <algorithm>
#include <stdexcept>

namespace cs {

Time layerwise_host_copy_time(Time compute, Time copy, int layers) {
  if (layers < 1) throw std::invalid_argument("a layer-wise KV copy needs at least one layer");
  if (copy < Time{}) throw std::invalid_argument("a KV copy time must not be negative");
  if (copy == Time{}) return compute;
  const std::int64_t shorter = std::min(compute, copy).count_ns();
  return std::max(compute, copy) + Time::ns((shorter + layers - 1) / layers);
}

}  // namespace cs
