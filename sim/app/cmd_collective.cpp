// `clustersim collective`: nccl-tests for the simulator. One collective at a time on an idle
// network, over a size sweep, printing time, algbw and busbw (nccl-tests conventions, GB = 1e9).
#include <cctype>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "sim/app/cli_support.hpp"
#include "sim/app/commands.hpp"
#include "sim/app/json_output.hpp"
#include "sim/network/collective_runner.hpp"
#include "sim/network/network_spec.hpp"
#include "sim/scenario/config_node.hpp"
#include "sim/scenario/quantity.hpp"
#include "sim/scenario/topology_loader.hpp"

namespace cs {

namespace {

// A size: nccl-tests' bare suffixes are binary (1K = 2^10, 8G = 2^33 bytes); with a unit the
// scenario rules apply, so GB is 10^9 bytes and GiB 2^30 bytes, as written.
double parse_size(const std::string& text, const char* option) {
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    throw UsageError(std::string(option) + ": '" + text + "' is not a size (e.g. 1K, 64M, 8G, 8 GB, 8 GiB)");
  }
  std::string suffix = text.substr(used);
  suffix.erase(0, suffix.find_first_not_of(' '));
  double bytes = 0;
  if (suffix.empty() || suffix.size() == 1) {
    static constexpr std::string_view kBinary = "KMGT";
    const std::size_t power = suffix.empty() ? 0 : kBinary.find(static_cast<char>(std::toupper(suffix[0]))) + 1;
    if (power == 0) throw UsageError(std::string(option) + ": unknown size suffix in '" + text + "'");
    bytes = std::ldexp(value, 10 * static_cast<int>(power));
  } else {
    try {
      bytes = parse_quantity(text, Dimension::kBytes);
    } catch (const QuantityError& e) {
      throw UsageError(std::string(option) + ": " + e.what());
    }
  }
  if (!(bytes >= 0) || !std::isfinite(bytes)) throw UsageError(std::string(option) + ": size must not be negative");
  return std::floor(bytes);
}

template <typename E>
E parse_name(const std::string& text, std::optional<E> (*parse)(std::string_view), const char* option,
             const char* expected) {
  const auto v = parse(text);
  if (!v) throw UsageError(std::string(option) + ": unknown value '" + text + "'; expected " + expected);
  return *v;
}

TopologySpec topology_from_file(const std::string& path) {
  const ConfigNode root = load_config_file(path);
  MapReader r(root, "");
  return read_topology(r.map("topology"));
}

TopologySpec topology_from_options(const po::variables_map& vm) {
  if (vm.count("scenario")) return topology_from_file(vm["scenario"].as<std::string>());
  // A YAML file in place of a template name: its `topology:` section (multi-node validation rows).
  const std::string name = option_or<std::string>(vm, "topology", "dgx_h100");
  if (name.size() > 5 && name.substr(name.size() - 5) == ".yaml") return topology_from_file(name);
  TopologySpec spec;
  ClusterSpec c;
  try {
    c.node = node_preset(name);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--topology: ") + e.what());
  }
  c.nodes = option_or<int>(vm, "nodes", 1);
  if (c.nodes < 1) throw UsageError("--nodes must be at least 1");
  const std::string fabric = option_or<std::string>(vm, "fabric", "rail_optimized");
  if (c.nodes == 1) {
    c.fabric.kind = FabricKind::kNone;
  } else if (fabric == "rail_optimized") {
    c.fabric.kind = FabricKind::kRailOptimized;
  } else if (fabric == "leaf_spine") {
    c.fabric.kind = FabricKind::kLeafSpine;
  } else if (fabric == "fat_tree") {
    c.fabric.kind = FabricKind::kFatTree;
  } else if (fabric == "single_switch") {
    c.fabric.kind = FabricKind::kSingleSwitch;
  } else {
    throw UsageError("--fabric: unknown value '" + fabric +
                     "'; expected rail_optimized, leaf_spine, fat_tree or single_switch");
  }
  const std::string link = option_or<std::string>(vm, "link", "infiniband");
  if (link != "infiniband" && link != "ethernet") throw UsageError("--link: expected infiniband or ethernet");
  c.fabric.link_kind = link == "ethernet" ? LinkKind::kEthernet : LinkKind::kInfiniBand;
  c.fabric.link_latency = default_fabric_latency(c.fabric.link_kind);
  c.fabric.oversubscription = option_or<double>(vm, "oversubscription", 1.0);
  if (c.fabric.oversubscription < 1) throw UsageError("--oversubscription must be at least 1");
  spec.layout = c;
  return spec;
}

std::vector<VertexId> group_from_options(const Topology& topo, const po::variables_map& vm) {
  const auto gpus = topo.gpus();
  const int first = option_or<int>(vm, "first-gpu", 0);
  const int count = vm.count("gpus") ? vm["gpus"].as<int>() : static_cast<int>(gpus.size()) - first;
  if (first < 0 || count < 1 || static_cast<std::size_t>(first + count) > gpus.size())
    throw UsageError("--gpus/--first-gpu: the topology has " + std::to_string(gpus.size()) + " GPUs");
  return {gpus.begin() + first, gpus.begin() + first + count};
}

}  // namespace

int cmd_collective(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  // Short flags mean one thing across commands (-o is an output file, -g a GPU type, so the
  // op and the group size have long names only); defaults are stated as "(default X)".
  opts.add_options()("help,h", "show this help")(
      "topology,t", po::value<std::string>(),
      "built-in node template (dgx_h100, dgx_a100, pcie_8gpu, hgx_4gpu) or a YAML file with a topology: section "
      "(default dgx_h100)")(
      "nodes,N", po::value<int>(), "nodes of that template (default 1)")(
      "fabric", po::value<std::string>(),
      "between nodes: rail_optimized, leaf_spine, fat_tree, single_switch (default rail_optimized)")(
      "link", po::value<std::string>(), "fabric technology: infiniband or ethernet (default infiniband)")(
      "oversubscription", po::value<double>(), "leaf-spine / rail spine oversubscription (default 1)")(
      "adaptive-routing", "flows take the equal-cost path with the emptiest bottleneck at their start (default static routing)")(
      "scenario,s", po::value<std::string>(), "take the topology from a scenario's `topology:` section instead")(
      "gpus", po::value<int>(), "GPUs in the group (default all, in topology order)")(
      "first-gpu", po::value<int>(), "index of the group's first GPU (default 0)")(
      "op", po::value<std::string>(),
      "all_reduce, all_gather, reduce_scatter, all_to_all, broadcast, send_recv (default all_reduce)")(
      "algorithm,a", po::value<std::string>(),
      "auto, ring, tree, hierarchical, nvls, direct, pipeline, collnet, nvls_tree (default auto)")(
      "min-bytes,b", po::value<std::string>(),
      "smallest size, nccl-tests -b: 1K = 2^10 bytes, 8G = 2^33; or with a unit, 8 GB = 8x10^9, 8 GiB = 8x2^30 "
      "(default 1K)")(
      "max-bytes,e", po::value<std::string>(), "largest size, nccl-tests -e, as --min-bytes (default 8G)")(
      "factor,f", po::value<double>(), "size multiplier between steps, nccl-tests -f (default 2)")(
      "root", po::value<int>(), "broadcast root rank (default 0)")(
      "protocol", po::value<std::string>(), "auto, ll, ll128, simple: NCCL_PROTO (default auto)")(
      "sharp", po::value<std::string>(),
      "InfiniBand in-network reduction: none, quantum (HDR), quantum2 (NDR); enables collnet (default none)")(
      "launch-overhead-us", po::value<double>(), "per-call launch overhead in microseconds (default the model's)")(
      "ll128-sustained", po::value<double>(),
      "share of the link rate LL128 sustains beyond its wire format, in (0, 1] (default the model's; "
      "validation/fit_collective_launch.py fits it)")(
      "json", "print a JSON list of {bytes, time_s, algbw_GBps, busbw_GBps, algorithm, protocol}");
  const auto vm = parse_command_line("collective", args, opts, po::positional_options_description{});
  if (vm.count("help")) {
    std::cout << help_text(
        "clustersim collective [--topology NAME --nodes N --fabric KIND | --scenario FILE] [--op OP]\n"
        "                      [--algorithm ALG] [--gpus N] [--min-bytes 1K --max-bytes 8G --factor 2] [--json]",
        "Simulates one collective at a time on an idle network, flow by flow, over a sweep of sizes,\n"
        "and prints what nccl-tests would: time, algbw = bytes / time and busbw = algbw x 2(n-1)/n\n"
        "(all_reduce), x (n-1)/n (all_gather, reduce_scatter, all_to_all), x 1 (broadcast, send_recv),\n"
        "in GB/s (1e9 bytes/s). Sizes take K, M, G, T suffixes in powers of 1024, as nccl-tests does.\n"
        "`auto` picks the algorithm the analytical cost model finds fastest for each size.",
        opts,
        "  clustersim collective --topology dgx_h100 --op all_reduce --min-bytes 8G --max-bytes 8G\n"
        "  clustersim collective -t dgx_h100 -N 4 --fabric rail_optimized --algorithm hierarchical\n"
        "  clustersim collective --scenario configs/scenarios/interconnect_pcie_eth.yaml --op all_to_all --json\n");
    return kExitOk;
  }
  const auto op = parse_name<CollectiveOp>(option_or<std::string>(vm, "op", "all_reduce"), collective_op_from_string, "--op",
                                           "all_reduce, all_gather, reduce_scatter, all_to_all, broadcast, send_recv");
  const auto algorithm = parse_name<CollectiveAlgorithm>(option_or<std::string>(vm, "algorithm", "auto"),
                                                         collective_algorithm_from_string, "--algorithm",
                                                         "auto, ring, tree, hierarchical, nvls, direct, pipeline, collnet, nvls_tree");
  const double min_bytes = parse_size(option_or<std::string>(vm, "min-bytes", "1K"), "--min-bytes");
  const double max_bytes = parse_size(option_or<std::string>(vm, "max-bytes", "8G"), "--max-bytes");
  const double factor = option_or<double>(vm, "factor", 2.0);
  if (max_bytes < min_bytes) throw UsageError("--max-bytes is smaller than --min-bytes");
  if (!(factor > 1) && max_bytes > min_bytes) throw UsageError("--factor must be greater than 1");

  CollectiveTuning tuning;
  tuning.protocol = parse_name<CollectiveProtocol>(option_or<std::string>(vm, "protocol", "auto"), collective_protocol_from_string,
                                                   "--protocol", "auto, ll, ll128, simple");
  tuning.sharp = parse_name<SharpGeneration>(option_or<std::string>(vm, "sharp", "none"), sharp_generation_from_string,
                                             "--sharp", "none, quantum, quantum2");
  if (vm.count("launch-overhead-us")) {
    const double us = vm["launch-overhead-us"].as<double>();
    if (!(us >= 0 && us < 1e9)) throw UsageError("--launch-overhead-us must be a non-negative number");
    tuning.launch_overhead = Time::from_seconds_ceil(us * 1e-6);
  }
  if (vm.count("ll128-sustained")) {
    const double f = vm["ll128-sustained"].as<double>();
    if (!(f > 0 && f <= 1)) throw UsageError("--ll128-sustained must be in (0, 1]");
    tuning.protocols[static_cast<std::size_t>(CollectiveProtocol::kLL128) - 1].sustained_fraction = f;
  }
  const TopologySpec spec = topology_from_options(vm);
  const Topology topo = build_topology(spec);
  const std::vector<VertexId> group = group_from_options(topo, vm);
  const auto* cluster = std::get_if<ClusterSpec>(&spec.layout);
  const bool adaptive = vm.count("adaptive-routing") > 0 || (cluster && cluster->fabric.adaptive_routing);
  CollectiveRunner runner(topo, spec.efficiency, tuning, adaptive);
  const bool json = vm.count("json") > 0;
  std::vector<JsonObject> rows;
  if (!json) {
    std::printf("# clustersim collective: %s on %zu GPUs of %s\n", std::string(to_string(op)).c_str(), group.size(),
                describe(spec).c_str());
    std::printf("# %14s %14s %12s %12s  %s\n", "size(B)", "time(us)", "algbw(GB/s)", "busbw(GB/s)", "algorithm");
  }
  for (double bytes = min_bytes; bytes <= max_bytes; bytes = std::floor(bytes * factor)) {
    CollectiveRecord r;
    try {
      r = runner.run({op, group, bytes, algorithm, option_or<int>(vm, "root", 0)}).record;
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
    const double algbw = r.algbw_bytes_per_s() / 1e9, busbw = r.busbw_bytes_per_s() / 1e9;
    if (json) {
      JsonObject row;
      row.add("bytes", bytes).add("time_s", r.seconds()).add("algbw_GBps", algbw).add("busbw_GBps", busbw);
      row.add("algorithm", std::string(to_string(r.algorithm))).add("protocol", std::string(to_string(r.protocol)));
      rows.push_back(std::move(row));
    } else {
      std::printf("  %14.0f %14.2f %12.2f %12.2f  %s/%s\n", bytes, r.seconds() * 1e6, algbw, busbw,
                  std::string(to_string(r.algorithm)).c_str(), std::string(to_string(r.protocol)).c_str());
    }
    if (!(factor > 1)) break;
  }
  if (json) print_json_rows(std::cout, rows);
  return kExitOk;
}

}  // namespace cs
