// `clustersim estimate`: the back-of-the-envelope a capacity planner runs first. One model on
// one GPU type with one parallel plan: FLOPs, memory and fit, prefill and decode latency with
// their bounds, throughput and $ per 1k tokens, and the cost of training it.

#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "sim/app/cli_support.hpp"
#include "sim/app/commands.hpp"
#include "sim/app/json_output.hpp"
#include "sim/cost/cost_formulas.hpp"
#include "sim/llm/inference_estimate.hpp"
#include "sim/llm/training_estimate.hpp"
#include "sim/network/collective_runner.hpp"
#include "sim/network/network_spec.hpp"
#include "sim/scenario/config_error.hpp"
#include "sim/scenario/engine_loader.hpp"
#include "sim/scenario/gpu_catalog_loader.hpp"
#include "sim/hardware/power_curve.hpp"
#include "sim/scenario/model_catalog_loader.hpp"
#include "sim/scenario/topology_loader.hpp"
#include "sim/scenario/price_catalog_loader.hpp"
#include "topology/host_link.hpp"

namespace cs {

namespace {

constexpr double kDefaultUsdPerGpuHour = 2.0;  // the essay's A100 rate
constexpr double kChinchillaTokensPerParam = 20;
constexpr int kMaxTrainingGpus = 1 << 16;

// Flags and the scenario's `estimate:` section share these names.
struct EstimateSettings {
  std::string model, gpu, dtype = "bf16", kv_dtype;
  std::string engine = kDefaultEngine;
  std::string topology;                // a node template whose network prices the TP all-reduces; empty: the GPU link
  int tp = 0, pp = 0, dp = 1, ep = 1;  // tp = pp = 0: pick the smallest plan that fits
  double input_tokens = 1024, output_tokens = 256, batch = 1;
  std::string streaming = "auto";
  double host_bandwidth = 0;  // bytes/s, 0: the topology's host link, else the GPU's PCIe link
  double usd_per_gpu_hour = kDefaultUsdPerGpuHour;
  double train_tokens = 0;     // 0: 20 per parameter
  int train_gpus = 0;          // 0: the fewest GPUs whose memory fits
  double mfu = 0;              // 0: simulated
  double sequence_length = 0;  // 0: min(max_context, 4096)
  int zero_stage = 1;
  bool recompute = false;
};

void read_estimate_section(MapReader r, EstimateSettings& s) {
  s.model = r.string_or("model", s.model);
  s.gpu = r.string_or("gpu", s.gpu);
  s.dtype = r.string_or("dtype", s.dtype);
  s.kv_dtype = r.string_or("kv_dtype", s.kv_dtype);
  s.engine = r.string_or("engine", s.engine);
  s.topology = r.string_or("topology", s.topology);
  s.tp = static_cast<int>(r.integer_or("tp", s.tp));
  s.pp = static_cast<int>(r.integer_or("pp", s.pp));
  s.dp = static_cast<int>(r.integer_or("dp", s.dp));
  s.ep = static_cast<int>(r.integer_or("ep", s.ep));
  s.input_tokens = r.quantity_or("input_tokens", Dimension::kCount, s.input_tokens);
  s.output_tokens = r.quantity_or("output_tokens", Dimension::kCount, s.output_tokens);
  s.batch = r.quantity_or("batch", Dimension::kCount, s.batch);
  s.streaming = r.string_or("streaming", s.streaming);
  s.host_bandwidth = r.quantity_or("host_bandwidth", Dimension::kBandwidth, s.host_bandwidth);
  s.usd_per_gpu_hour = r.quantity_or("price", Dimension::kUsdPerHour, s.usd_per_gpu_hour);
  s.train_tokens = r.quantity_or("train_tokens", Dimension::kCount, s.train_tokens);
  s.train_gpus = static_cast<int>(r.integer_or("train_gpus", s.train_gpus));
  s.mfu = r.quantity_or("mfu", Dimension::kRatio, s.mfu);
  s.sequence_length = r.quantity_or("sequence_length", Dimension::kCount, s.sequence_length);
  s.zero_stage = static_cast<int>(r.integer_or("zero", s.zero_stage));
  s.recompute = r.boolean_or("recompute", s.recompute);
  r.finish();
}

Dtype dtype_flag(const std::string& text, const char* flag) {
  if (auto d = parse_dtype(text)) return *d;
  throw UsageError(std::string("--") + flag + ": unknown format '" + text + "'; known: " + dtype_names_joined());
}

StreamingMode streaming_flag(const std::string& text) {
  if (text == "auto") return StreamingMode::kAuto;
  if (text == "on") return StreamingMode::kOn;
  if (text == "off") return StreamingMode::kOff;
  throw UsageError("--streaming: expected auto, on or off, not '" + text + "'");
}

double quantity_flag(const po::variables_map& vm, const char* flag, Dimension d, double fallback) {
  if (!vm.count(flag)) return fallback;
  try {
    return parse_quantity(vm[flag].as<std::string>(), d);
  } catch (const QuantityError& e) {
    throw UsageError(std::string("--") + flag + ": " + e.what());
  }
}

std::string gib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", bytes / double(1ull << 30));
  return buf;
}

std::string seconds_text(double s) {
  char buf[32];
  if (s < 1)
    std::snprintf(buf, sizeof buf, "%.2f ms", s * 1e3);
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%.2f s", s);
  else
    std::snprintf(buf, sizeof buf, "%.1f h", s / 3600);
  return buf;
}

struct Results {
  std::string engine;
  const TransformerSpec* model;
  const GpuSpec* gpu;
  ModelPrecision precision;
  bool plan_chosen;  // picked by the search rather than given
  InferenceEstimate inference;
  double usd_per_1k_tokens, usd_per_1k_output_tokens;
  double train_tokens;
  double train_sequence_length;
  bool train_recompute;
  TrainingEstimate training;
  double train_usd;
  // Energy: the replica's GPUs at the compute utilization the estimate implies, plus the
  // server's host and network share, x the provider's PUE (1 without one).
  double compute_utilization, power_w_per_gpu, wh_per_1k_tokens;
  // Every provider's price of this GPU under the chosen option: (provider, $/GPU-hour).
  std::vector<std::pair<std::string, double>> by_provider;
};

// Energy and the price of 1k tokens under each provider listing the GPU (docs/COST_MODEL.md).
void estimate_energy_and_providers(Results& r, const PriceCatalog& prices, const Provider* chosen,
                                   PurchaseOption option) {
  const InferenceEstimate& e = r.inference;
  const int gpus = e.plan.replica_gpus();
  const double tokens_per_request = e.tokens_per_s > 0 && e.request_latency_s > 0
                                        ? e.tokens_per_s * e.request_latency_s
                                        : 0;
  const double flops_per_s = tokens_per_request > 0 ? e.flops_per_request * e.tokens_per_s / tokens_per_request : 0;
  r.compute_utilization = flops_per_s / (gpus * r.gpu->peak_flops(r.precision.compute));
  double extra_w = 0;
  if (const ServerPower* p = prices.power_of(r.gpu->name))
    extra_w = (p->host_power_w + p->network_power_w) / p->gpus_per_server;
  r.power_w_per_gpu = (power_w(*r.gpu, r.compute_utilization) + extra_w) * (chosen ? chosen->pue : 1.0);
  r.wh_per_1k_tokens = e.tokens_per_s > 0 ? gpus * r.power_w_per_gpu * 1000 / e.tokens_per_s / 3600 : 0;
  for (const auto& p : prices.providers)
    if (const GpuOffer* o = p.offer_for(r.gpu->name))
      if (auto it = o->usd_per_gpu_hour.find(option); it != o->usd_per_gpu_hour.end())
        r.by_provider.emplace_back(p.name, it->second);
}

void print_table(const Results& r, const EstimateSettings& s) {
  const InferenceEstimate& e = r.inference;
  const ParameterCount p = count_parameters(*r.model);
  std::printf("%s on %d x %s (%s%s), weights %s, KV cache %s, engine %s\n", r.model->display_name.c_str(),
              e.plan.replica_gpus(), r.gpu->display_name.c_str(), e.plan.describe().c_str(),
              r.plan_chosen ? ", smallest plan that fits" : "", std::string(dtype_name(r.precision.weights)).c_str(),
              std::string(dtype_name(r.precision.kv_cache)).c_str(), r.engine.c_str());
  std::printf("\n%-22s %.2fB parameters (%.2fB active), %.1f GB of weights, %.0f KiB KV cache per token\n", "model",
              p.total() / 1e9, p.active() / 1e9, e.weights_bytes / 1e9, e.kv_bytes_per_token / 1024);
  const InferenceMemory& m = e.streaming ? e.streaming->memory_per_gpu : e.fit.needed_per_gpu;
  std::printf("%-22s %s of %s GiB (weights %s + KV %s + workspace %s): %s\n", "memory per GPU",
              gib(e.memory_per_gpu_bytes).c_str(), gib(r.gpu->memory_bytes).c_str(), gib(m.weights_bytes).c_str(),
              gib(m.kv_cache_bytes).c_str(), gib(m.workspace_bytes).c_str(),
              e.fit.fits ? "fits" : "does not fit; streaming weights over PCIe");
  if (e.streaming)
    std::printf("%-22s %d of %d layers per stage resident, %d streamed at %.1f GB/s\n", "weight streaming",
                e.streaming->resident_layers, e.streaming->stage_layers, e.streaming->streamed_layers,
                e.streaming->host_bandwidth_bytes_per_s / 1e9);
  std::printf("\n%-22s %.0f input + %.0f output tokens, batch %.0f\n", "request", s.input_tokens, s.output_tokens,
              s.batch);
  std::printf("%-22s %.3g FLOP\n", "FLOPs per request", e.flops_per_request);
  std::printf("%-22s %s (%s-bound)\n", "prefill (batch)", seconds_text(e.prefill_s).c_str(),
              std::string(bound_name(e.prefill.bound())).c_str());
  std::printf("%-22s %s per token (%s-bound; communication %s)\n", "decode step",
              seconds_text(e.decode_s_per_token).c_str(), std::string(bound_name(e.decode.bound())).c_str(),
              seconds_text(e.decode.comm_s()).c_str());
  std::printf("%-22s %s\n", "request latency", seconds_text(e.request_latency_s).c_str());
  std::printf("%-22s %.1f output tokens/s, %.1f tokens/s in+out per replica\n", "throughput", e.output_tokens_per_s,
              e.tokens_per_s);
  std::printf("%-22s $%.5f per 1k tokens (in+out), $%.5f per 1k output tokens at $%.2f/GPU-hour\n", "cost",
              r.usd_per_1k_tokens, r.usd_per_1k_output_tokens, s.usd_per_gpu_hour);
  std::printf("%-22s %.2f Wh per 1k tokens (%.0f%% compute utilization, %.0f W per GPU with host and PUE)\n",
              "energy", r.wh_per_1k_tokens, r.compute_utilization * 100, r.power_w_per_gpu);
  for (const auto& [provider, price] : r.by_provider)
    std::printf("%-22s $%.5f per 1k tokens at $%.3f/GPU-hour\n", ("  " + provider).c_str(),
                usd_per_1k_tokens(price, r.inference.plan.replica_gpus(), r.inference.tokens_per_s), price);
  const TrainingEstimate& t = r.training;
  std::printf("\n%-22s %.3g tokens on %d GPUs (%s), sequence %.0f, ZeRO-%d%s\n", "training", r.train_tokens,
              t.plan.total_gpus(), t.plan.describe().c_str(), r.train_sequence_length, s.zero_stage,
              r.train_recompute ? ", activation recomputation" : "");
  if (r.train_recompute)
    std::printf("%-22s %.3g FLOP (%.3g executed with recomputation)\n", "training FLOPs", t.model_flops,
                t.hardware_flops);
  else
    std::printf("%-22s %.3g FLOP\n", "training FLOPs", t.model_flops);
  std::printf("%-22s %s of %s GiB per GPU: %s\n", "training memory", gib(t.memory_per_gpu.total()).c_str(),
              gib(t.available_per_gpu).c_str(), t.fits ? "fits" : "does not fit");
  std::printf("%-22s %.1f days at %.0f%% MFU (%s), %.3g GPU-hours, $%.0f\n", "training time", t.seconds / 86400,
              t.mfu * 100, t.mfu_simulated ? "simulated" : "given", t.gpu_hours, r.train_usd);
}

void print_json(const Results& r, const EstimateSettings& s) {
  const InferenceEstimate& e = r.inference;
  const TrainingEstimate& t = r.training;
  JsonObject j;
  j.add("model", r.model->name);
  j.add("gpu", r.gpu->name);
  j.add("engine", r.engine);
  j.add("topology", s.topology.empty() ? std::string("gpu-link estimate") : s.topology);
  j.add("dtype", std::string(dtype_name(r.precision.weights)));
  j.add("kv_dtype", std::string(dtype_name(r.precision.kv_cache)));
  j.add("tp", e.plan.tp);
  j.add("pp", e.plan.pp);
  j.add("dp", e.plan.dp);
  j.add("ep", e.plan.ep);
  j.add("gpus_per_replica", e.plan.replica_gpus());
  j.add("plan_chosen_automatically", r.plan_chosen);
  j.add("input_tokens", s.input_tokens);
  j.add("output_tokens", s.output_tokens);
  j.add("batch", s.batch);
  j.add("params", count_parameters(*r.model).total());
  j.add("flops_per_request", e.flops_per_request);
  j.add("weights_bytes", e.weights_bytes);
  j.add("kv_cache_bytes_per_token", e.kv_bytes_per_token);
  j.add("memory_per_gpu_bytes", e.memory_per_gpu_bytes);
  j.add("memory_available_per_gpu_bytes", r.gpu->memory_bytes);
  j.add("fits", e.fit.fits);
  j.add("streaming", e.streaming.has_value());
  j.add("streamed_layers", e.streaming ? e.streaming->streamed_layers : 0);
  j.add("stream_host_bytes_per_s", e.streaming ? e.streaming->host_bandwidth_bytes_per_s : 0.0);
  j.add("prefill_s", e.prefill_s);
  j.add("decode_s_per_token", e.decode_s_per_token);
  j.add("bound_prefill", std::string(bound_name(e.prefill.bound())));
  j.add("bound_decode", std::string(bound_name(e.decode.bound())));
  j.add("decode_comm_s", e.decode.comm_s());
  j.add("prefill_comm_s", e.prefill.comm_s());
  j.add("decode_host_s", e.decode.host_s + e.decode.dispatch_stall_s);
  j.add("prefill_host_s", e.prefill.host_s + e.prefill.dispatch_stall_s);
  j.add("request_latency_s", e.request_latency_s);
  j.add("tokens_per_s", e.tokens_per_s);
  j.add("output_tokens_per_s", e.output_tokens_per_s);
  j.add("usd_per_gpu_hour", s.usd_per_gpu_hour);
  j.add("usd_per_1k_tokens", r.usd_per_1k_tokens);
  j.add("usd_per_1k_output_tokens", r.usd_per_1k_output_tokens);
  j.add("compute_utilization", r.compute_utilization);
  j.add("wh_per_1k_tokens", r.wh_per_1k_tokens);
  for (const auto& [provider, price] : r.by_provider)
    j.add("usd_per_1k_tokens_" + provider, usd_per_1k_tokens(price, e.plan.replica_gpus(), e.tokens_per_s));
  j.add("train_tokens", r.train_tokens);
  j.add("train_gpus", t.plan.total_gpus());
  j.add("train_tp", t.plan.tp);
  j.add("train_pp", t.plan.pp);
  j.add("train_flops", t.model_flops);
  j.add("train_recompute", r.train_recompute);
  j.add("train_mfu", t.mfu);
  j.add("train_mfu_simulated", t.mfu_simulated);
  j.add("train_memory_per_gpu_bytes", t.memory_per_gpu.total());
  j.add("train_fits", t.fits);
  j.add("train_days", t.seconds / 86400);
  j.add("train_gpu_hours", t.gpu_hours);
  j.add("train_usd", r.train_usd);
  j.print(std::cout);
}

}  // namespace

int cmd_estimate(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("help,h", "show this help")("model,m", po::value<std::string>(),
                                                 "model name from the catalog (clustersim catalog models)")(
      "gpu,g", po::value<std::string>(), "GPU name from the catalog (clustersim catalog gpus)")(
      "dtype", po::value<std::string>(),
      "weights and compute format: fp32 tf32 bf16 fp16 fp8 int8 int4 (default bf16)")(
      "kv-dtype", po::value<std::string>(), "KV cache format (default follows --dtype; bf16 for int4)")(
      "engine", po::value<std::string>(),
      "serving engine: a name in configs/engines (vllm, trtllm; default vllm) or an engine YAML file")(
      "topology", po::value<std::string>(),
      "price the TP all-reduces on this node template's network (dgx_a100, dgx_h100, pcie_8gpu, hgx_4gpu) "
      "instead of the GPU-link estimate")("tp", po::value<int>(),
                                          "tensor-parallel degree (with --pp; default: the smallest plan that fits)")(
      "pp", po::value<int>(), "pipeline-parallel degree")("dp", po::value<int>(), "data-parallel replicas (default 1)")(
      "ep", po::value<int>(), "expert-parallel degree for MoE models (divides dp)")(
      "input-tokens", po::value<std::string>(), "prompt tokens per request (default 1024)")(
      "output-tokens", po::value<std::string>(), "generated tokens per request (default 256)")(
      "batch", po::value<std::string>(), "requests decoded together (default 1)")(
      "streaming", po::value<std::string>(), "weight streaming when weights do not fit: auto (default), on, off")(
      "host-bandwidth", po::value<std::string>(), "host-to-GPU rate for streaming, e.g. \"7 GB/s\" (default: --topology's host link, else the GPU's PCIe)")(
      "price", po::value<std::string>(), "rental price per GPU-hour, e.g. \"$2.21/h\" (default $2.00/h)")(
      "provider", po::value<std::string>(), "price the GPU at this provider's list price (clustersim catalog prices)")(
      "option", po::value<std::string>(), "purchase option with --provider: on_demand (default), reserved_1y, "
                                          "reserved_3y, spot")(
      "train-tokens", po::value<std::string>(), "training token budget, e.g. 300B (default 20 per parameter)")(
      "train-gpus", po::value<int>(), "GPUs for training (default the fewest, link domain x 2^k, that fit)")(
      "mfu", po::value<std::string>(), "model FLOPs utilization for training, e.g. 40% (default simulated)")(
      "sequence-length", po::value<std::string>(), "training sequence length (default min(context, 4096))")(
      "zero", po::value<int>(), "ZeRO stage 0-3 for training memory (default 1)")(
      "recompute", "train with full activation recomputation")(
      "scenario", po::value<std::string>(),
      "YAML file with an `estimate:` section (same keys, snake_case) and optional extra `gpus:` / `models:`")(
      "catalog", po::value<std::string>(),
      "configs directory holding hardware/gpus.yaml and models/ "
      "(default $CLUSTERSIM_CONFIG_DIR or the repository's configs/)")("json",
                                                                        "print one JSON object instead of the table");
  const auto vm = parse_command_line("estimate", args, opts, {});
  if (vm.count("help")) {
    std::cout << help_text(
        "clustersim estimate --model NAME --gpu NAME [--tp N] [--pp N] [--dtype F] [--input-tokens N]\n"
        "       [--output-tokens N] [--batch N] [--price $X/h] [--train-tokens N] [--json]",
        "Estimates one model on one GPU type from first principles: FLOPs per request, memory per GPU\n"
        "and whether it fits (else the smallest plan that does, or weight streaming), prefill and\n"
        "per-token decode time from the roofline with their bound (compute, memory or host-link),\n"
        "tokens/s of one replica, $ per 1k tokens, and training FLOPs, time and cost.\n"
        "Names: clustersim catalog (GPUs such as h100-sxm, a100-80gb-sxm, l4, mi300x; models such as\n"
        "llama-2-70b, llama-3-405b, gpt-3-175b, mixtral-8x7b).\n"
        "JSON keys include flops_per_request, weights_bytes, memory_per_gpu_bytes, fits, prefill_s,\n"
        "decode_s_per_token, bound_prefill, bound_decode, tokens_per_s (input + output tokens per\n"
        "second of one replica; output_tokens_per_s counts generated ones), usd_per_1k_tokens\n"
        "(input + output), train_flops, train_days, train_usd; engine, topology, decode_comm_s,\n"
        "prefill_comm_s, decode_host_s and prefill_host_s (the engine's host work and the kernel\n"
        "dispatch the GPU could not hide).\n"
        "The serving engine (--engine, default vllm; configs/engines/) adds its per-iteration host\n"
        "work, kernel launch costs and kernel efficiencies to the roofline; --engine roofline is\n"
        "the bare roofline. --topology prices the TP all-reduces on one node of that template, and\n"
        "streamed weights cross its host links (unless --host-bandwidth is given).\n"
        "Exit status: 0 done, 2 bad input (unknown name, plan that cannot fit).",
        opts,
        "  clustersim estimate --model llama-2-70b --gpu h100-sxm --tp 4 --input-tokens 1024 --output-tokens 256\n"
        "  clustersim estimate -m llama-3-405b -g h100-sxm --tp 8 --streaming on --json\n"
        "  clustersim estimate -m gpt-3-175b -g a100 --train-tokens 300B --train-gpus 1024 --mfu 50%\n");
    return kExitOk;
  }

  const std::filesystem::path dir = config_dir(vm.count("catalog") ? vm["catalog"].as<std::string>() : "");
  GpuCatalog gpus = load_gpu_catalog(gpu_catalog_file(dir));
  ModelCatalog models = load_model_catalog(model_catalog_dir(dir));
  EstimateSettings s;
  if (vm.count("scenario")) {
    const ConfigNode root = load_config_file(vm["scenario"].as<std::string>());
    MapReader r(root, "");
    read_gpu_catalog(r, gpus);
    read_model_catalog(r, models);
    if (r.has("estimate")) read_estimate_section(r.map("estimate"), s);
  }
  if (vm.count("model")) s.model = vm["model"].as<std::string>();
  if (vm.count("gpu")) s.gpu = vm["gpu"].as<std::string>();
  if (vm.count("dtype")) s.dtype = vm["dtype"].as<std::string>();
  if (vm.count("kv-dtype")) s.kv_dtype = vm["kv-dtype"].as<std::string>();
  if (vm.count("engine")) s.engine = vm["engine"].as<std::string>();
  if (vm.count("topology")) s.topology = vm["topology"].as<std::string>();
  if (vm.count("tp")) s.tp = vm["tp"].as<int>();
  if (vm.count("pp")) s.pp = vm["pp"].as<int>();
  if (vm.count("dp")) s.dp = vm["dp"].as<int>();
  if (vm.count("ep")) s.ep = vm["ep"].as<int>();
  s.input_tokens = quantity_flag(vm, "input-tokens", Dimension::kCount, s.input_tokens);
  s.output_tokens = quantity_flag(vm, "output-tokens", Dimension::kCount, s.output_tokens);
  s.batch = quantity_flag(vm, "batch", Dimension::kCount, s.batch);
  if (vm.count("streaming")) s.streaming = vm["streaming"].as<std::string>();
  s.host_bandwidth = quantity_flag(vm, "host-bandwidth", Dimension::kBandwidth, s.host_bandwidth);
  s.usd_per_gpu_hour = quantity_flag(vm, "price", Dimension::kUsdPerHour, s.usd_per_gpu_hour);
  s.train_tokens = quantity_flag(vm, "train-tokens", Dimension::kCount, s.train_tokens);
  if (vm.count("train-gpus")) s.train_gpus = vm["train-gpus"].as<int>();
  s.mfu = quantity_flag(vm, "mfu", Dimension::kRatio, s.mfu);
  s.sequence_length = quantity_flag(vm, "sequence-length", Dimension::kCount, s.sequence_length);
  if (vm.count("zero")) s.zero_stage = vm["zero"].as<int>();
  if (vm.count("recompute")) s.recompute = true;
  const PriceCatalog prices = load_price_catalog(price_catalog_dir(dir));
  PurchaseOption option = PurchaseOption::kOnDemand;
  if (vm.count("option")) {
    const auto o = parse_purchase_option(vm["option"].as<std::string>());
    if (!o) throw UsageError("--option: expected on_demand, reserved_1y, reserved_3y or spot");
    option = *o;
  }
  const Provider* provider = nullptr;
  if (vm.count("provider")) {
    if (vm.count("price")) throw UsageError("give --price or --provider, not both");
    provider = prices.provider(vm["provider"].as<std::string>());
    if (!provider) throw UsageError("--provider: unknown provider (names: clustersim catalog prices)");
  }
  if (s.model.empty()) throw UsageError("missing --model (names: clustersim catalog models)");
  if (s.gpu.empty()) throw UsageError("missing --gpu (names: clustersim catalog gpus)");

  try {
    Results r;
    r.model = &models.get(s.model);
    r.gpu = &gpus.get(s.gpu);
    r.precision = precision_for(dtype_flag(s.dtype, "dtype"));
    if (!s.kv_dtype.empty()) r.precision.kv_cache = dtype_flag(s.kv_dtype, "kv-dtype");

    InferenceQuery q;
    q.input_tokens = s.input_tokens;
    q.output_tokens = s.output_tokens;
    q.batch = s.batch;
    q.streaming = streaming_flag(s.streaming);
    q.streaming_options.host_bandwidth_bytes_per_s = s.host_bandwidth;
    const ServingEngine engine = load_engine(s.engine, dir);
    q.engine = engine.profile;
    r.engine = engine.profile.name;
    ParallelPlan plan{std::max(s.tp, 1), std::max(s.pp, 1), s.dp, s.ep};
    r.plan_chosen = s.tp == 0 && s.pp == 0;
    if (r.plan_chosen) {
      const InferenceLoad load{s.batch, s.input_tokens + s.output_tokens, s.batch * s.input_tokens};
      // No plan fits: keep the largest TP inside the domain and let streaming (or the error) speak.
      const auto found = smallest_inference_plan(*r.model, *r.gpu, r.precision, load, q.memory);
      plan = found.value_or(ParallelPlan{tensor_parallel_candidates(*r.model, *r.gpu).back(), 1, 1, 1});
      plan.dp = s.dp;
      plan.ep = s.ep;
    }
    // The node's collective physics, run once per payload size as `clustersim collective` does.
    std::optional<CollectiveRunner> runner;
    std::optional<Topology> node;
    if (!s.topology.empty()) {
      TopologySpec spec;
      ClusterSpec c;
      c.node = node_preset(s.topology);
      c.nodes = 1;
      c.fabric.kind = FabricKind::kNone;
      spec.layout = c;
      node.emplace(build_topology(spec));
      const auto gpus = node->gpus();
      if (static_cast<int>(gpus.size()) < plan.tp)
        throw UsageError("--topology: " + s.topology + " has " + std::to_string(gpus.size()) + " GPUs, fewer than tp " +
                         std::to_string(plan.tp));
      runner.emplace(*node, spec.efficiency);
      const std::vector<VertexId> group(gpus.begin(), gpus.begin() + plan.tp);
      q.communication.tp_all_reduce_s = [&runner, group](double bytes) {
        return runner->run({CollectiveOp::kAllReduce, group, bytes, CollectiveAlgorithm::kAuto, 0}).record.seconds();
      };
      // Streamed layers come over the node's host links, the TP group's GPUs copying their
      // shards at once (sharing a PCIe switch's uplink where they sit under one).
      if (!(s.host_bandwidth > 0)) {
        Router router(*node);
        const LinkEfficiency efficiency = spec.efficiency;
        q.streaming_options.host_bandwidth_bytes_per_s =
            shared_host_bytes_per_s(router, group, [&](LinkId l) {
              const LinkInfo& link = node->link(l);
              return link.bandwidth_bytes_per_s * efficiency.fraction(link.kind);
            });
      }
    }
    r.inference = estimate_inference(*r.model, *r.gpu, r.precision, plan, q);
    if (provider) s.usd_per_gpu_hour = rented_billing(*provider, r.gpu->name, option, 1, 0, nullptr).usd_per_gpu_hour;
    estimate_energy_and_providers(r, prices, provider, option);
    const int replica_gpus = plan.replica_gpus();
    r.usd_per_1k_tokens = usd_per_1k_tokens(s.usd_per_gpu_hour, replica_gpus, r.inference.tokens_per_s);
    r.usd_per_1k_output_tokens = usd_per_1k_tokens(s.usd_per_gpu_hour, replica_gpus, r.inference.output_tokens_per_s);

    TrainingQuery tq;
    const double params = count_parameters(*r.model).total();
    r.train_tokens = s.train_tokens > 0 ? s.train_tokens : kChinchillaTokensPerParam * params;
    tq.tokens = r.train_tokens;
    tq.gpus = s.train_gpus;
    tq.dtype =
        r.precision.compute == Dtype::kFp32 || r.precision.compute == Dtype::kTf32 ? r.precision.compute : Dtype::kBf16;
    tq.options.zero_stage = s.zero_stage;
    tq.options.recompute_activations = s.recompute;
    tq.options.sequence_length =
        s.sequence_length > 0 ? s.sequence_length : std::min(4096.0, double(r.model->max_context));
    r.train_sequence_length = tq.options.sequence_length;
    if (s.mfu > 0) tq.mfu = s.mfu;
    if (tq.gpus > 0) {
      r.training = estimate_training(*r.model, *r.gpu, tq);
    } else {  // the fewest GPUs, the link domain times a power of two, whose memory fits,
              // recomputing activations if that is what it takes
      for (tq.gpus = r.gpu->tensor_parallel_domain(); tq.gpus <= kMaxTrainingGpus; tq.gpus *= 2) {
        tq.options.recompute_activations = s.recompute;
        r.training = estimate_training(*r.model, *r.gpu, tq);
        if (r.training.fits) break;
        tq.options.recompute_activations = true;
        r.training = estimate_training(*r.model, *r.gpu, tq);
        if (r.training.fits) break;
      }
    }
    r.train_recompute = tq.options.recompute_activations;
    r.train_usd = usd_for_gpu_seconds(r.training.seconds * r.training.plan.total_gpus(), s.usd_per_gpu_hour);

    if (vm.count("json"))
      print_json(r, s);
    else
      print_table(r, s);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  return kExitOk;
}

}  // namespace cs
