#pragma once
// Disaggregated prefill/decode (Splitwise, DistServe): a prefill pool computes each prompt and
// its first token, then the prompt's KV cache crosses the run's Fabric as flows to a decode
// replica of another pool, which generates the rest. Both pools are ordinary ServingSystems
// (their own GPU type, TP, size and autoscaler); the KvHandoff joins them:
//
//  - a prefill replica's completed request (phase kPrefillOnly) picks a ready decode replica
//    by the DecodeRouting policy (or waits for one to be ready, then its KV can no longer have
//    streamed during the prefill);
//  - its KV (memory model: 2·layers·kv_heads·head_dim·bytes per token) goes as one flow per
//    KvShard between the two TP groups' GPUs, sharing links max-min with every other flow on
//    the fabric; layer-wise, the layers sent during the prefill are priced at each shard path's
//    bottleneck (kv_bytes_left_at_prefill_end) and only the rest runs as flows;
//  - on delivery the request joins the decode replica (phase kDecodeOnly) with its first token
//    counted at the delivery: TTFT includes the transfer not hidden behind the prefill.
//
// Every request a prefill replica completes reaches the decode pool exactly once (a one-token
// request moves no KV: it completes on arrival there), so the decode pool's router reports
// every prefilled request's outcome; requests still moving at the end go to it as unfinished.
// Simplifications: the prefill replica frees the prompt's KV blocks when it ends (the copy
// being sent is not held against its cache), and the decode replica takes blocks for it when
// it admits the request, not while the bytes are on their way.
#include <cstdint>
#include <deque>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/engine/signal.hpp"
#include "sim/engine/slot_pool.hpp"
#include "sim/network/flow_network.hpp"
#include "sim/serving/kv_transfer.hpp"
#include "sim/simulation/serving_system.hpp"

namespace cs {

class KvHandoff {
 public:
  // Throws std::invalid_argument where the decode pool cannot receive the prefill pool's KV
  // (another model or KV format, pipeline stages) or replicas are not on the fabric.
  KvHandoff(Engine& engine, Fabric& fabric, ServingSystem& prefill, ServingSystem& decode,
            const DisaggregationSpec& spec);
  KvHandoff(const KvHandoff&) = delete;
  KvHandoff& operator=(const KvHandoff&) = delete;

  // Each prompt's KV as it reaches its decode replica.
  Signal<const KvTransferRecord&> on_transfer_done;

  // End of the run: requests waiting for a decode replica or whose KV is still moving go to
  // the decode pool's router, which reports them unfinished. Call before the pools' finish().
  void finish();

  const DisaggregationSpec& spec() const { return spec_; }
  double kv_bytes_per_token() const { return kv_bytes_per_token_; }
  std::size_t in_flight() const { return moving_; }
  std::size_t waiting() const { return waiting_.size(); }

 private:
  struct Pending {
    ServingRequest request;  // phase kDecodeOnly
    std::uint32_t prefill_replica = 0;
    Time prefill_end;
    Time prefill;  // its compute time (the layer-wise overlap window)
    bool overlap = false;  // whether its KV could stream during the prefill
  };
  struct Transfer {
    Pending pending;
    std::uint32_t decode_replica = 0;
    std::int64_t blocks = 0;  // the decode replica's blocks it will need on arrival
    double bytes = 0;
    double sent_after = 0;
    int flows_left = 0;
    std::vector<FlowHandle> flows;
  };

  void prefilled(const RequestOutcome& o);
  void dispatch(Pending p);
  Replica* choose(std::uint32_t prefill_replica);
  void start_transfer(Pending p, Replica& to);
  void delivered(std::uint32_t slot);
  std::int64_t blocks_for(const ServingRequest& r) const;

  Engine& engine_;
  Fabric& fabric_;
  ServingSystem& prefill_;
  ServingSystem& decode_;
  DisaggregationSpec spec_;
  double kv_bytes_per_token_;
  int layers_;
  int tp_from_, tp_to_;
  std::vector<KvShard> shards_;
  std::int64_t decode_block_tokens_;
  std::deque<Pending> waiting_;  // no decode replica ready yet
  SlotPool<Transfer> transfers_;
  std::vector<std::int64_t> incoming_;    // by decode replica: blocks on their way to it
  std::size_t moving_ = 0;
};

}  // namespace cs
