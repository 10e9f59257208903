// `clustersim collective`: nccl-tests for the simulator. One collective at a time on an idle
// network, over a size sweep, printing time, algbw and busbw (nccl-tests conventions, GB = 1e9).
#include <cmath>
#include <cstdio>
#include <iostream>

#include "sim/app/cli_support.hpp"
#include "sim/app/commands.hpp"
#include "sim/network/collective_runner.hpp"
#include "sim/network/network_spec.hpp"
#include "sim/scenario/config_node.hpp"
#include "sim/scenario/topology_loader.hpp"

namespace cs {

namespace {

// nccl-tests sizes: a number with an optional binary suffix (1K = 1024, 8G = 8 GiB).
double parse_size(const std::string& text, const char* option) {
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    throw UsageError(std::string(option) + ": '" + text + "' is not a size (e.g. 1K, 64M, 8G)");
  }
  std::string suffix = text.substr(used);
  if (!suffix.empty() && (suffix.back() == 'B' || suffix.back() == 'b')) suffix.pop_back();
  if (suffix.size() == 2 && suffix[1] == 'i') suffix.pop_back();
  double scale = 1;
  if (suffix == "K" || suffix == "k") scale = 1024.0;
  else if (suffix == "M" || suffix == "m") scale = 1024.0 * 1024;
  else if (suffix == "G" || suffix == "g") scale = 1024.0 * 1024 * 1024;
  else if (suffix == "T" || suffix == "t") scale = 1024.0 * 1024 * 1024 * 1024;
  else if (!suffix.empty()) throw UsageError(std::string(option) + ": unknown size suffix in '" + text + "'");
  if (!(value * scale >= 0)) throw UsageError(std::string(option) + ": size must not be negative");
  return std::floor(value * scale);
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
  const std::string name = vm["topology"].as<std::string>();
  if (name.size() > 5 && name.substr(name.size() - 5) == ".yaml") return topology_from_file(name);
  TopologySpec spec;
  ClusterSpec c;
  try {
    c.node = node_preset(vm["topology"].as<std::string>());
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--topology: ") + e.what());
  }
  c.nodes = vm["nodes"].as<int>();
  if (c.nodes < 1) throw UsageError("--nodes must be at least 1");
  const std::string fabric = vm["fabric"].as<std::string>();
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
  const std::string link = vm["link"].as<std::string>();
  if (link != "infiniband" && link != "ethernet") throw UsageError("--link: expected infiniband or ethernet");
  c.fabric.link_kind = link == "ethernet" ? LinkKind::kEthernet : LinkKind::kInfiniBand;
  c.fabric.link_latency = default_fabric_latency(c.fabric.link_kind);
  c.fabric.oversubscription = vm["oversubscription"].as<double>();
  if (c.fabric.oversubscription < 1) throw UsageError("--oversubscription must be at least 1");
  spec.layout = c;
  return spec;
}

std::vector<VertexId> group_from_options(const Topology& topo, const po::variables_map& vm) {
  const auto gpus = topo.gpus();
  const int first = vm["first-gpu"].as<int>();
  const int count = vm.count("gpus") ? vm["gpus"].as<int>() : static_cast<int>(gpus.size()) - first;
  if (first < 0 || count < 1 || static_cast<std::size_t>(first + count) > gpus.size())
    throw UsageError("--gpus/--first-gpu: the topology has " + std::to_string(gpus.size()) + " GPUs");
  return {gpus.begin() + first, gpus.begin() + first + count};
}

}  // namespace

int cmd_collective(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("help,h", "show this help")(
      "topology,t", po::value<std::string>()->default_value("dgx_h100"),
      "built-in node template (dgx_h100, dgx_a100, pcie_8gpu, hgx_4gpu) or a YAML file with a topology: section")(
      "nodes,N", po::value<int>()->default_value(1), "nodes of that template")(
      "fabric", po::value<std::string>()->default_value("rail_optimized"),
      "between nodes: rail_optimized, leaf_spine, fat_tree, single_switch")(
      "link", po::value<std::string>()->default_value("infiniband"), "fabric technology: infiniband or ethernet")(
      "oversubscription", po::value<double>()->default_value(1.0), "leaf-spine / rail spine oversubscription")(
      "scenario,s", po::value<std::string>(), "take the topology from a scenario's `topology:` section instead")(
      "gpus,g", po::value<int>(), "GPUs in the group (default: all, in topology order)")(
      "first-gpu", po::value<int>()->default_value(0), "index of the group's first GPU")(
      "op,o", po::value<std::string>()->default_value("all_reduce"),
      "all_reduce, all_gather, reduce_scatter, all_to_all, broadcast, send_recv")(
      "algorithm,a", po::value<std::string>()->default_value("auto"),
      "auto, ring, tree, hierarchical, nvls, direct, pipeline")(
      "min-bytes,b", po::value<std::string>()->default_value("1K"), "smallest size (nccl-tests -b)")(
      "max-bytes,e", po::value<std::string>()->default_value("8G"), "largest size (nccl-tests -e)")(
      "factor,f", po::value<double>()->default_value(2.0), "size multiplier between steps (nccl-tests -f)")(
      "root", po::value<int>()->default_value(0), "broadcast root rank")(
      "protocol", po::value<std::string>()->default_value("auto"), "auto, ll, ll128, simple (NCCL_PROTO)")(
      "launch-overhead-us", po::value<double>(), "per-call launch overhead in microseconds (default: the model's)")(
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
  const auto op = parse_name<CollectiveOp>(vm["op"].as<std::string>(), collective_op_from_string, "--op",
                                           "all_reduce, all_gather, reduce_scatter, all_to_all, broadcast, send_recv");
  const auto algorithm = parse_name<CollectiveAlgorithm>(vm["algorithm"].as<std::string>(),
                                                         collective_algorithm_from_string, "--algorithm",
                                                         "auto, ring, tree, hierarchical, nvls, direct, pipeline");
  const double min_bytes = parse_size(vm["min-bytes"].as<std::string>(), "--min-bytes");
  const double max_bytes = parse_size(vm["max-bytes"].as<std::string>(), "--max-bytes");
  const double factor = vm["factor"].as<double>();
  if (max_bytes < min_bytes) throw UsageError("--max-bytes is smaller than --min-bytes");
  if (!(factor > 1) && max_bytes > min_bytes) throw UsageError("--factor must be greater than 1");

  CollectiveTuning tuning;
  tuning.protocol = parse_name<CollectiveProtocol>(vm["protocol"].as<std::string>(), collective_protocol_from_string,
                                                   "--protocol", "auto, ll, ll128, simple");
  if (vm.count("launch-overhead-us")) {
    const double us = vm["launch-overhead-us"].as<double>();
    if (!(us >= 0 && us < 1e9)) throw UsageError("--launch-overhead-us must be a non-negative number");
    tuning.launch_overhead = Time::from_seconds_ceil(us * 1e-6);
  }
  const TopologySpec spec = topology_from_options(vm);
  const Topology topo = build_topology(spec);
  const std::vector<VertexId> group = group_from_options(topo, vm);
  CollectiveRunner runner(topo, spec.efficiency, tuning);
  const bool json = vm.count("json") > 0;
  if (!json) {
    std::printf("# clustersim collective: %s on %zu GPUs of %s\n", std::string(to_string(op)).c_str(), group.size(),
                describe(spec).c_str());
    std::printf("# %14s %14s %12s %12s  %s\n", "size(B)", "time(us)", "algbw(GB/s)", "busbw(GB/s)", "algorithm");
  } else {
    std::printf("[");
  }
  bool first = true;
  for (double bytes = min_bytes; bytes <= max_bytes; bytes = std::floor(bytes * factor)) {
    CollectiveRecord r;
    try {
      r = runner.run({op, group, bytes, algorithm, vm["root"].as<int>()}).record;
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
    const double algbw = r.algbw_bytes_per_s() / 1e9, busbw = r.busbw_bytes_per_s() / 1e9;
    if (json) {
      std::printf("%s\n  {\"bytes\": %.0f, \"time_s\": %.9g, \"algbw_GBps\": %.6g, \"busbw_GBps\": %.6g, "
                  "\"algorithm\": \"%s\", \"protocol\": \"%s\"}",
                  first ? "" : ",", bytes, r.seconds(), algbw, busbw, std::string(to_string(r.algorithm)).c_str(),
                  std::string(to_string(r.protocol)).c_str());
    } else {
      std::printf("  %14.0f %14.2f %12.2f %12.2f  %s/%s\n", bytes, r.seconds() * 1e6, algbw, busbw,
                  std::string(to_string(r.algorithm)).c_str(), std::string(to_string(r.protocol)).c_str());
    }
    first = false;
    if (!(factor > 1)) break;
  }
  if (json) std::printf("\n]\n");
  return kExitOk;
}

}  // namespace cs
