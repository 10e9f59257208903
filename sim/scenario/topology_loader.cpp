#include "sim/scenario/topology_loader.hpp"

#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "sim/network/network_spec_checks.hpp"
#include "sim/scenario/section_input.hpp"
#include "sim/scenario/spec_refusal.hpp"

namespace cs {

namespace {


NodeSpec read_node(const ConfigNode& n, const std::string& path) {
  if (n.is_scalar()) {
    try {
      return node_preset(read_string(n, path));
    } catch (const std::invalid_argument& e) {
      throw_config_error(n.where, path, e.what());
    }
  }
  MapReader r(n, path);
  NodeSpec s;
  try {
    s = node_preset(r.string("template"));
  } catch (const std::invalid_argument& e) {
    r.fail("template", e.what());
  }
  s.name = r.string_or("name", s.name);
  s.gpus = static_cast<int>(r.integer_or("gpus", s.gpus));
  s.nvlink_bytes_per_s = r.quantity_or("nvlink", Dimension::kBandwidth, s.nvlink_bytes_per_s);
  s.nvswitch_reduction = r.boolean_or("nvls", s.nvswitch_reduction);
  s.pcie_switches = static_cast<int>(r.integer_or("pcie_switches", s.pcie_switches));
  s.pcie_bytes_per_s = r.quantity_or("pcie", Dimension::kBandwidth, s.pcie_bytes_per_s);
  s.nics = static_cast<int>(r.integer_or("nics", s.nics));
  s.nic_bytes_per_s = r.quantity_or("nic", Dimension::kBandwidth, s.nic_bytes_per_s);
  s.cpu_sockets = static_cast<int>(r.integer_or("cpu_sockets", s.cpu_sockets));
  s.host_memory_bytes_per_s = r.quantity_or("host_memory", Dimension::kBandwidth, s.host_memory_bytes_per_s);
  s.nvme_drives = static_cast<int>(r.integer_or("nvme_drives", s.nvme_drives));
  s.nvme_bytes_per_s = r.quantity_or("nvme", Dimension::kBandwidth, s.nvme_bytes_per_s);
  s.nvlink_latency = r.duration_or("nvlink_latency", s.nvlink_latency);
  s.pcie_latency = r.duration_or("pcie_latency", s.pcie_latency);
  r.finish();
  try {
    validate(s);
  } catch (const std::invalid_argument& e) {
    throw_config_error(n.where, path, e.what());
  }
  return s;
}

FabricSpec read_fabric(MapReader r) {
  FabricSpec f;
  f.kind = r.choice_or<FabricKind>("kind",
                                   {{"none", FabricKind::kNone},
                                    {"single_switch", FabricKind::kSingleSwitch},
                                    {"leaf_spine", FabricKind::kLeafSpine},
                                    {"fat_tree", FabricKind::kFatTree},
                                    {"rail_optimized", FabricKind::kRailOptimized}},
                                   f.kind);
  f.link_kind = r.choice_or<LinkKind>("link", {{"infiniband", LinkKind::kInfiniBand}, {"ethernet", LinkKind::kEthernet}},
                                      f.link_kind);
  // `auto` (the default) is the nodes' NIC rate; a number must be positive (0 is no link).
  if (const ConfigNode* b = r.optional("bandwidth"); b && b->is_scalar() && b->scalar == "auto") {
    f.link_bytes_per_s = 0.0;
  } else {
    f.link_bytes_per_s = r.quantity_or("bandwidth", Dimension::kBandwidth, 0.0);
    if (r.has("bandwidth") && !(f.link_bytes_per_s > 0))
      r.fail("bandwidth", "the fabric bandwidth must be positive (or `auto`: the NICs' rate)");
  }
  f.link_latency = r.duration_or("latency", default_fabric_latency(f.link_kind));
  f.adaptive_routing = r.boolean_or("adaptive_routing", f.adaptive_routing);
  f.leaf_ports = static_cast<int>(r.integer_or("leaf_ports", f.leaf_ports));
  r.check_range("leaf_ports", f.leaf_ports, 1, 1e6);
  f.oversubscription = r.quantity_or("oversubscription", Dimension::kRatio, 1.0);
  r.check_range("oversubscription", f.oversubscription, 1, 1e6);
  f.spines = static_cast<int>(r.integer_or("spines", 0));
  f.fat_tree_k = static_cast<int>(r.integer_or("k", 0));
  f.rail_group_nodes = static_cast<int>(r.integer_or("rail_group_nodes", 0));
  r.finish();
  return f;
}

// `storage:` — the shared storage cluster (the nodes' own NVMe and DRAM are in `node:`).
std::optional<ObjectStoreSpec> read_storage(MapReader r) {
  std::optional<ObjectStoreSpec> store;
  if (r.has("object_store")) {
    MapReader o = r.map("object_store");
    ObjectStoreSpec s;
    s.ports = static_cast<int>(o.integer_or("ports", s.ports));
    o.check_range("ports", s.ports, 1, 1e6);
    s.port_bytes_per_s = o.quantity_or("port_bandwidth", Dimension::kBandwidth, s.port_bytes_per_s);
    if (!(s.port_bytes_per_s > 0)) o.fail("port_bandwidth", "the port bandwidth must be positive");
    if (o.has("read_bandwidth")) {
      s.read_bytes_per_s = o.quantity("read_bandwidth", Dimension::kBandwidth);
      if (!(s.read_bytes_per_s > 0)) o.fail("read_bandwidth", "the read bandwidth must be positive");
    }
    s.latency = o.duration_or("latency", s.latency);
    if (s.latency < Time{}) o.fail("latency", "the latency must not be negative");
    o.finish();
    store = s;
  }
  r.finish();
  return store;
}

LinkEfficiency read_efficiency(MapReader r) {
  LinkEfficiency e;
  auto get = [&](const char* key, double& v) {
    v = r.quantity_or(key, Dimension::kRatio, v);
    r.check_range(key, v, 1e-6, 1);
  };
  get("nvlink", e.nvlink);
  get("pcie", e.pcie);
  get("infiniband", e.infiniband);
  get("ethernet", e.ethernet);
  get("storage", e.storage);
  get("memory_bus", e.memory_bus);
  r.finish();
  return e;
}

ExplicitTopologySpec read_explicit(MapReader& r) {
  ExplicitTopologySpec spec;
  for (const auto& item : r.items("vertices")) {
    MapReader v(item.node, item.path);
    ExplicitVertex x;
    x.name = v.string("name");
    const std::string kind = v.string("kind");
    const auto k = vertex_kind_from_string(kind);
    if (!k) v.fail("kind", "unknown vertex kind '" + kind + "'; expected gpu, nvswitch, pcie_switch, cpu, host_memory, nic, switch or storage");
    x.kind = *k;
    x.node = static_cast<int>(v.integer_or("node", -1));
    x.in_switch_reduction = v.boolean_or("nvls", false);
    v.finish();
    spec.vertices.push_back(std::move(x));
  }
  for (const auto& item : r.items("links")) {
    MapReader l(item.node, item.path);
    ExplicitLink x;
    x.from = l.string("from");
    x.to = l.string("to");
    const std::string kind = l.string("kind");
    const auto k = link_kind_from_string(kind);
    if (!k) l.fail("kind", "unknown link kind '" + kind + "'; expected nvlink, pcie, ethernet, infiniband, storage or memory_bus");
    x.kind = *k;
    x.bandwidth_bytes_per_s = l.quantity("bandwidth", Dimension::kBandwidth);
    if (l.has("reverse_bandwidth")) x.reverse_bandwidth_bytes_per_s = l.quantity("reverse_bandwidth", Dimension::kBandwidth);
    x.latency = l.duration_or("latency", Time{});
    x.bidirectional = l.boolean_or("bidirectional", true);
    l.finish();
    spec.links.push_back(std::move(x));
  }
  return spec;
}

// A GPU of an explicit topology that cannot reach another (following the links' direction),
// as "a cannot reach b"; empty when every GPU reaches every other. Two searches from the first
// GPU (forward and against the links) decide it: all GPUs reach each other iff all reach it
// and it reaches all.
std::string unreachable_gpus(const Topology& t) {
  const auto gpus = t.gpus();
  if (gpus.size() < 2) return "";
  for (const bool forward : {true, false}) {
    std::vector<std::vector<VertexId>> next(t.vertex_count());
    for (LinkId l = 0; l < t.link_count(); ++l) {
      const LinkInfo& link = t.link(l);
      if (forward)
        next[link.from].push_back(link.to);
      else
        next[link.to].push_back(link.from);
    }
    std::vector<bool> seen(t.vertex_count(), false);
    std::vector<VertexId> stack{gpus[0]};
    seen[gpus[0]] = true;
    while (!stack.empty()) {
      const VertexId v = stack.back();
      stack.pop_back();
      for (const VertexId w : next[v])
        if (!seen[w]) seen[w] = true, stack.push_back(w);
    }
    for (const VertexId g : gpus)
      if (!seen[g])
        return forward ? t.vertex(gpus[0]).name + " cannot reach " + t.vertex(g).name
                       : t.vertex(g).name + " cannot reach " + t.vertex(gpus[0]).name;
  }
  return "";
}

}  // namespace

TopologySpec read_topology(MapReader r) {
  TopologySpec spec;
  if (r.has("vertices") || r.has("links")) {
    spec.layout = read_explicit(r);
  } else {
    ClusterSpec c;
    c.node = read_node(r.required("node"), r.path_of("node"));
    c.nodes = static_cast<int>(r.integer_or("nodes", 1));
    r.check_range("nodes", c.nodes, 1, 1e6);
    c.fabric = read_fabric(r.map("fabric", true));
    if (!r.has("fabric") && c.nodes == 1) c.fabric.kind = FabricKind::kNone;
    if (r.has("storage")) {
      c.object_store = read_storage(r.map("storage"));
      if (c.object_store && c.fabric.kind == FabricKind::kNone)
        r.fail("storage", "an object store attaches to a fabric: give the topology a `fabric:`");
    }
    spec.layout = c;
  }
  spec.efficiency = read_efficiency(r.map("efficiency", true));
  r.finish();
  try {
    const Topology built = build_topology(spec);  // reject an unbuildable topology at load time, with the path
    if (std::holds_alternative<ExplicitTopologySpec>(spec.layout)) {
      if (const std::string cut = unreachable_gpus(built); !cut.empty())
        r.fail("links", "the GPUs are not all connected: " + cut);
    }
  } catch (const std::invalid_argument& e) {
    throw_config_error(r.node().where, r.path(), e.what());
  }
  return spec;
}

void read_collectives(MapReader r, NetworkSpec& spec) {
  {
    MapReader t = r.map("tuning", true);
    spec.tuning.launch_overhead = t.duration_or("launch_overhead", spec.tuning.launch_overhead);
    const std::string protocol = t.string_or("protocol", "auto");
    const auto proto = collective_protocol_from_string(protocol);
    if (!proto) t.fail("protocol", "unknown protocol '" + protocol + "'; expected auto, ll, ll128 or simple");
    spec.tuning.protocol = *proto;
    spec.tuning.ethernet_qps_per_connection =
        static_cast<int>(t.integer_or("ethernet_qps_per_connection", spec.tuning.ethernet_qps_per_connection));
    t.check_range("ethernet_qps_per_connection", spec.tuning.ethernet_qps_per_connection, 1, 64);
    spec.tuning.pipeline_chunk_bytes = t.quantity_or("pipeline_chunk", Dimension::kBytes, spec.tuning.pipeline_chunk_bytes);
    t.check_range("pipeline_chunk", spec.tuning.pipeline_chunk_bytes, 1, 1e15);
    spec.tuning.max_pipeline_chunks = static_cast<int>(t.integer_or("max_pipeline_chunks", spec.tuning.max_pipeline_chunks));
    t.check_range("max_pipeline_chunks", spec.tuning.max_pipeline_chunks, 1, 1e6);
    spec.tuning.nvls_efficiency = t.quantity_or("nvls_efficiency", Dimension::kRatio, spec.tuning.nvls_efficiency);
    t.check_range("nvls_efficiency", spec.tuning.nvls_efficiency, 1e-6, 1);
    if (t.has("sharp")) {
      const std::string sharp = t.string("sharp");
      const auto g = sharp_generation_from_string(sharp);
      if (!g) t.fail("sharp", "unknown SHARP switch generation '" + sharp + "'; expected none, quantum or quantum2");
      spec.tuning.sharp = *g;
    }
    t.finish();
  }
  spec.timeline_top_links = static_cast<int>(r.integer_or("timeline_top_links", spec.timeline_top_links));
  r.check_range("timeline_top_links", spec.timeline_top_links, 0, 1000);
  const Topology topo = build_topology(spec.topology);
  const auto gpus = static_cast<int>(topo.gpus().size());
  for (const auto& item : r.items("jobs")) {
    MapReader j(item.node, item.path);
    CollectiveJobSpec job;
    job.name = j.string_or("name", "collective" + std::to_string(spec.jobs.size()));
    const std::string op = j.string("op");
    const auto o = collective_op_from_string(op);
    if (!o) j.fail("op", "unknown operation '" + op + "'; expected all_reduce, all_gather, reduce_scatter, all_to_all, broadcast or send_recv");
    job.op = *o;
    const std::string algorithm = j.string_or("algorithm", "auto");
    const auto a = collective_algorithm_from_string(algorithm);
    if (!a) j.fail("algorithm", "unknown algorithm '" + algorithm + "'; expected auto, ring, tree, hierarchical, nvls, direct, pipeline, collnet or nvls_tree");
    job.algorithm = *a;
    job.bytes = j.quantity("bytes", Dimension::kBytes);
    j.check_range("bytes", job.bytes, 0, 1e18);
    job.first_gpu = static_cast<int>(j.integer_or("first_gpu", 0));
    j.check_range("first_gpu", job.first_gpu, 0, gpus - 1);
    job.gpus = static_cast<int>(j.integer_or("gpus", gpus - job.first_gpu));
    j.check_range("gpus", job.gpus, 1, gpus - job.first_gpu);
    job.root = static_cast<int>(j.integer_or("root", 0));
    j.check_range("root", job.root, 0, job.gpus - 1);
    job.start = j.duration_or("start", Time{});
    job.every = j.duration_or("every", Time{});
    job.count = j.integer_or("count", 0);
    j.check_range("count", static_cast<double>(job.count), 0, 1e12);
    j.finish();
    spec.jobs.push_back(std::move(job));
  }
  r.finish();
}

// `topology:` and `collectives:` (which run on it).
void read_network_section(SectionInput& in, Scenario& s) {
  MapReader& r = in.root;
  if (!r.has("topology")) {
    if (r.has("collectives")) r.fail("collectives", "collectives need a `topology:` section to run on");
    return;
  }
  s.network.emplace();
  s.network->topology = read_topology(r.map("topology"));
  read_collectives(r.map("collectives", true), *s.network);
  refuse(r, validate(*s.network));
}

}  // namespace cs
