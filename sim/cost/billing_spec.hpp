#pragma once
// How one pool or cluster is billed and powered, resolved from a bare `price:`, a provider's
// offer or an owned server (sim/cost/price_catalog). Plain data: the cost listener and the
// spot-interruption model read it.
#include <cstdint>
#include <string>

#include "sim/engine/time.hpp"

namespace cs {

struct BillingSpec {
  std::string label;              // "aws on_demand", "owned dgx-a100", "price" (for the summary)
  double usd_per_gpu_hour = 0;    // GPUs held beyond the committed ones
  std::int64_t committed_gpus = 0;          // reserved or owned: billed from start to end, used or not
  double committed_usd_per_gpu_hour = 0;
  Time billing_increment;         // zero: exact (per nanosecond); else each replica's time rounds up
  Time billing_minimum;           // per replica
  // Spot: each replica is reclaimed at this rate (per second of its life); 0: never.
  double spot_interruptions_per_s = 0;
  // Power beyond the GPU boards, per GPU held: the server's host share and its network ports.
  double host_power_w_per_gpu = 0;
  double network_power_w_per_gpu = 0;
  double pue = 1;
  // Owned: committed GPUs the pool does not hold still sit powered in their servers, idle.
  bool unused_capacity_draws_power = false;
  double usd_per_kwh = 0;  // electricity billed separately (owned); 0 when it is in the rent
  double egress_usd_per_byte = 0;
  // Bytes leaving the provider per request: the answer's text at ~4 bytes a token (OpenAI's
  // tokenizer guide: a token is ~4 characters of English), plus any fixed payload.
  double egress_bytes_per_output_token = 4;
  double egress_bytes_per_request = 0;
};

}  // namespace cs
