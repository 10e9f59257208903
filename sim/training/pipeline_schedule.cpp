#include "sim/training/pipeline_schedule.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace cs {

namespace {

constexpr double kNotYet = -1;

struct Op {
  bool forward = true;
  int chunk = 0;
  int micro_batch = 0;
};

// Megatron's unit order: micro-batches go through the chunks in groups of p, so that device d
// runs chunk 0 of micro-batches 0..p-1, then chunk 1 of the same, and so on; backwards visit
// the chunks in reverse.
Op unit(int k, bool forward, int p, int v) {
  const int group = k / (p * v);
  const int within = k % (p * v);
  const int chunk = within / p;
  return Op{forward, forward ? chunk : v - 1 - chunk, group * p + within % p};
}

std::vector<Op> device_order(int d, int p, int m, int v) {
  const int total = m * v;
  int warmup = 0;
  if (v == 1) {
    warmup = std::min(p - d - 1, m);
  } else {
    warmup = m == p ? total : std::min((p - d - 1) * 2 + (v - 1) * p, total);
  }
  std::vector<Op> ops;
  ops.reserve(2 * static_cast<std::size_t>(total));
  for (int k = 0; k < warmup; ++k) ops.push_back(unit(k, true, p, v));
  for (int j = 0; j < total - warmup; ++j) {
    ops.push_back(unit(warmup + j, true, p, v));
    ops.push_back(unit(j, false, p, v));
  }
  for (int k = total - warmup; k < total; ++k) ops.push_back(unit(k, false, p, v));
  return ops;
}

}  // namespace

PipelineScheduleResult run_pipeline_schedule(const PipelineScheduleSpec& spec) {
  const int p = static_cast<int>(spec.stages.size());
  const int m = spec.micro_batches;
  const int v = spec.virtual_stages;
  if (p < 1) throw std::invalid_argument("pipeline schedule: no stages");
  if (m < 1 || v < 1) throw std::invalid_argument("pipeline schedule: micro-batches and virtual stages must be >= 1");
  if (v > 1 && m % p != 0)
    throw std::invalid_argument("interleaved 1F1B needs micro-batches (" + std::to_string(m) +
                                ") to be a multiple of the pipeline stages (" + std::to_string(p) + ")");

  const int virtual_count = p * v;
  auto at = [m](int k, int i) { return static_cast<std::size_t>(k) * m + i; };
  std::vector<double> forward_end(static_cast<std::size_t>(virtual_count) * m, kNotYet);
  std::vector<double> backward_end(forward_end.size(), kNotYet);

  std::vector<std::vector<Op>> orders;
  for (int d = 0; d < p; ++d) orders.push_back(device_order(d, p, m, v));
  std::vector<std::size_t> next(p, 0);
  std::vector<double> free_at(p, 0);

  PipelineScheduleResult r;
  r.busy_s.assign(p, 0);
  r.idle_s.assign(p, 0);
  r.last_backward_end_s.assign(p, 0);

  // Start times depend only on the device's previous op and the op's input, so devices can be
  // advanced in any order; sweeping until nothing moves reaches the unique schedule.
  bool moved = true;
  std::size_t remaining = 2 * static_cast<std::size_t>(virtual_count) * m;
  while (remaining > 0) {
    if (!moved) throw std::logic_error("pipeline schedule deadlocked (an op's input is never produced)");
    moved = false;
    for (int d = 0; d < p; ++d) {
      while (next[d] < orders[d].size()) {
        const Op& op = orders[d][next[d]];
        const int k = op.chunk * p + d;
        double input = 0;
        int producer = -1;
        if (op.forward && k > 0) {
          input = forward_end[at(k - 1, op.micro_batch)];
          producer = (k - 1) % p;
        } else if (!op.forward && k < virtual_count - 1) {
          input = backward_end[at(k + 1, op.micro_batch)];
          producer = (k + 1) % p;
        } else if (!op.forward) {
          input = forward_end[at(k, op.micro_batch)];
          producer = d;
        }
        if (input == kNotYet) break;
        if (producer >= 0 && producer != d) input += spec.transfer_s;
        const PipelineStageTimes& t = spec.stages[d];
        const double duration = op.forward ? t.forward_s : t.backward_s;
        const double start = std::max(free_at[d], input);
        const double end = start + duration;
        (op.forward ? forward_end : backward_end)[at(k, op.micro_batch)] = end;
        free_at[d] = end;
        r.busy_s[d] += duration;
        if (!op.forward) r.last_backward_end_s[d] = std::max(r.last_backward_end_s[d], end);
        ++next[d];
        ++r.ops;
        --remaining;
        moved = true;
      }
    }
  }
  r.makespan_s = *std::max_element(free_at.begin(), free_at.end());
  std::size_t busiest = 0;
  for (int d = 0; d < p; ++d) {
    r.idle_s[d] = r.makespan_s - r.busy_s[d];
    if (r.busy_s[d] > r.busy_s[busiest]) busiest = d;
  }
  r.bubble_fraction = r.busy_s[busiest] > 0 ? r.idle_s[busiest] / r.busy_s[busiest] : 0;
  return r;
}

double pipeline_bubble_formula(int stages, int micro_batches, int virtual_stages) {
  return double(stages - 1) / (double(virtual_stages) * micro_batches);
}

}  // namespace cs
