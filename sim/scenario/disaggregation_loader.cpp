#include "sim/scenario/disaggregation_loader.hpp"

#include <vector>

#include "sim/scenario/nearest_name.hpp"

namespace cs {

std::string decode_pool_name(MapReader& root) {
  const ConfigNode* d = root.optional("disaggregation");
  if (!d || !d->is_map()) return {};
  const ConfigNode* decode = d->find("decode");
  return decode && decode->is_scalar() ? decode->scalar : std::string();
}

namespace {

std::size_t pool_index(MapReader& r, std::string_view key, const Scenario& s) {
  const std::string name = r.string(key);
  std::vector<std::string> names;
  for (std::size_t i = 0; i < s.serving_pools.size(); ++i) {
    if (s.serving_pools[i].router.name == name) return i;
    names.push_back(s.serving_pools[i].router.name);
  }
  std::string message = "no pool named '" + name + "' in `serving:`";
  const std::string hint = nearest_name(name, names);
  if (!hint.empty()) message += " (did you mean '" + hint + "'?)";
  r.fail(key, message);
}

void check_kv_layout(MapReader& r, std::string_view key, const ServingPoolSpec& p) {
  if (p.plan.pp != 1)
    r.fail(key, "pool '" + p.router.name + "' has pp " + std::to_string(p.plan.pp) +
                    ": KV transfer between pipeline stages is not modelled (pp must be 1)");
  if (p.model.kv_heads % p.plan.tp != 0)
    r.fail(key, "pool '" + p.router.name + "' splits the model's " + std::to_string(p.model.kv_heads) +
                    " KV heads over tp " + std::to_string(p.plan.tp) +
                    ", not in whole heads: its ranks cannot send or receive the KV layout head by head");
}

}  // namespace

DisaggregationSpec read_disaggregation(MapReader r, const Scenario& s, bool has_topology) {
  if (s.serving_pools.empty())
    r.fail("prefill", "`disaggregation:` names two pools of a `serving:` list (a prefill and a decode pool); "
                      "`serving:` here is not a list");
  DisaggregationSpec d;
  d.prefill_pool = pool_index(r, "prefill", s);
  d.decode_pool = pool_index(r, "decode", s);
  if (d.prefill_pool == d.decode_pool) r.fail("decode", "the decode pool must be another pool than the prefill pool");
  const ServingPoolSpec& p = s.serving_pools[d.prefill_pool];
  const ServingPoolSpec& q = s.serving_pools[d.decode_pool];
  if (p.model.name != q.model.name)
    r.fail("decode", "pool '" + q.router.name + "' serves '" + q.model.name + "' but the prefill pool '" +
                         p.router.name + "' serves '" + p.model.name + "': a decode replica continues the same model");
  if (p.precision.kv_cache != q.precision.kv_cache)
    r.fail("decode", "the pools keep the KV cache in different formats (" + std::string(dtype_name(p.precision.kv_cache)) +
                         " and " + std::string(dtype_name(q.precision.kv_cache)) + "): give both the same kv_dtype");
  check_kv_layout(r, "prefill", p);
  check_kv_layout(r, "decode", q);
  d.transfer = r.choice_or<KvTransferMode>(
      "kv_transfer", {{"layerwise", KvTransferMode::kLayerwise}, {"after_prefill", KvTransferMode::kAfterPrefill}},
      d.transfer);
  d.routing = r.choice_or<DecodeRouting>(
      "decode_routing", {{"least_kv_load", DecodeRouting::kLeastKvLoad}, {"locality", DecodeRouting::kLocality}},
      d.routing);
  if (!has_topology)
    r.fail("kv_transfer", "the KV cache moves between the pools as flows over the topology: add a `topology:` "
                          "section with the pools' GPUs");
  r.finish();
  return d;
}

}  // namespace cs
