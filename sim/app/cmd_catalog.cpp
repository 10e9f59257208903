// `clustersim catalog`: the GPU and model names `estimate` and scenarios accept, with the
// figures behind them, so nobody has to open the YAML to spell "h100-sxm".
#include <cstdio>
#include <iostream>

#include "sim/app/cli_support.hpp"
#include "sim/app/commands.hpp"
#include "sim/scenario/gpu_catalog_loader.hpp"
#include "sim/scenario/model_catalog_loader.hpp"
#include "sim/scenario/price_catalog_loader.hpp"

namespace cs {

namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string link_text(const GpuSpec& g) {
  if (!g.link.present()) return "none";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s%s x%d %.0f GB/s", g.link.technology.c_str(),
                g.link.generation ? (" " + std::to_string(g.link.generation)).c_str() : "", g.link.domain_gpus,
                g.link.bandwidth_bytes_per_s / 1e9);
  return buf;
}

void print_gpus(const GpuCatalog& gpus, bool verbose) {
  std::printf("GPUs (%zu): dense peaks, memory, power, GPU link (per direction) and PCIe\n", gpus.size());
  std::printf("  %-15s %-32s %9s %9s %9s %11s %6s  %-30s %s\n", "name", "", "bf16 TF/s", "fp8 TF/s", "memory",
              "bandwidth", "TDP", "GPU link", "PCIe");
  for (const auto& name : gpus.names()) {
    const GpuSpec& g = gpus.get(name);
    const bool has_fp8 = g.effective_compute_dtype(Dtype::kFp8) == Dtype::kFp8;
    char fp8[16] = "-";
    if (has_fp8) std::snprintf(fp8, sizeof fp8, "%.0f", g.peak_flops(Dtype::kFp8) / 1e12);
    std::printf("  %-15s %-32s %9.0f %9s %5.1f GiB %6.2f TB/s %4.0f W  %-30s gen%d x%d\n", name.c_str(),
                g.display_name.c_str(), g.peak_flops(Dtype::kBf16) / 1e12, fp8, g.memory_bytes / double(1ull << 30),
                g.memory_bandwidth_bytes_per_s / 1e12, g.tdp_w, link_text(g).c_str(), g.pcie.generation, g.pcie.lanes);
    const auto aliases = gpus.aliases_of(name);
    if (!aliases.empty()) std::printf("  %-15s   also: %s\n", "", joined(aliases).c_str());
    if (verbose) std::printf("  %-15s   source: %s\n", "", g.source.c_str());
  }
}

void print_models(const ModelCatalog& models, bool verbose) {
  std::printf("Models (%zu): parameters counted from the architecture\n", models.size());
  std::printf("  %-14s %-16s %9s %7s %6s %6s %9s %7s %8s %8s\n", "name", "", "params", "layers", "hidden", "heads",
              "kv heads", "ffn", "context", "experts");
  for (const auto& name : models.names()) {
    const TransformerSpec& m = models.get(name);
    char experts[16] = "-";
    if (m.is_moe()) std::snprintf(experts, sizeof experts, "%d of %d", m.experts_per_token, m.experts);
    std::printf("  %-14s %-16s %8.2fB %7d %6d %6d %9d %7s %8d %8s\n", name.c_str(), m.display_name.c_str(),
                count_parameters(m).total() / 1e9, m.layers, m.hidden, m.heads, m.kv_heads,
                std::string(ffn_kind_name(m.ffn_kind)).c_str(), m.max_context, experts);
    const auto aliases = models.aliases_of(name);
    if (!aliases.empty()) std::printf("  %-14s   also: %s\n", "", joined(aliases).c_str());
    if (verbose) std::printf("  %-14s   source: %s\n", "", m.source.c_str());
  }
}

std::string price_text(const GpuOffer& o, PurchaseOption opt) {
  const auto it = o.usd_per_gpu_hour.find(opt);
  if (it == o.usd_per_gpu_hour.end()) return "-";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.3f", it->second);
  return buf;
}

void print_prices(const PriceCatalog& prices, const GpuCatalog& gpus, bool verbose) {
  std::printf("Rented GPUs: $ per GPU-hour by purchase option (configs/prices/)\n");
  std::printf("  %-10s %-15s %-28s %9s %9s %9s %9s %11s %8s\n", "provider", "gpu", "instance", "on_demand",
              "reserv_1y", "reserv_3y", "spot", "reclaims/h", "date");
  for (const auto& p : prices.providers) {
    for (const auto& o : p.offers) {
      std::printf("  %-10s %-15s %-28s %9s %9s %9s %9s %11.2g %8s\n", p.name.c_str(), o.gpu.c_str(),
                  o.instance.c_str(), price_text(o, PurchaseOption::kOnDemand).c_str(),
                  price_text(o, PurchaseOption::kReserved1y).c_str(), price_text(o, PurchaseOption::kReserved3y).c_str(),
                  price_text(o, PurchaseOption::kSpot).c_str(), o.spot_interruptions_per_instance_hour, o.date.c_str());
      if (verbose) std::printf("  %-10s   source: %s\n", "", o.source.c_str());
    }
    std::printf("  %-10s   billed per %s (minimum %s), egress $%.3f/GB\n", "", format_duration(p.billing_increment).c_str(),
                format_duration(p.billing_minimum).c_str(), p.egress_usd_per_byte * 1e9);
  }
  std::printf("Owned servers: the ownership rate per GPU-hour (purchase and ports over the life, hosting) and power\n");
  std::printf("  %-14s %-15s %5s %11s %6s %10s %9s %5s %9s\n", "name", "gpu", "gpus", "purchase", "life", "$/GPU-h",
              "host", "PUE", "$/kWh");
  for (const auto& s : prices.owned) {
    const GpuSpec* g = gpus.find(s.gpu);
    std::printf("  %-14s %-15s %5d %11.0f %4.1f y %10.3f %7.0f W %5.2f %9.3f\n", s.name.c_str(), s.gpu.c_str(),
                s.gpus_per_server, s.purchase_usd, s.life_years, g ? owned_usd_per_gpu_hour(s, g->tdp_w) : 0.0,
                s.host_power_w, s.pue, s.usd_per_kwh);
    if (verbose) std::printf("  %-14s   source: %s\n", "", s.source.c_str());
  }
}

}  // namespace

int cmd_catalog(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("help,h", "show this help")("what", po::value<std::string>(), "gpus, models, prices or all (positional)")(
      "catalog", po::value<std::string>(),
      "configs directory (default $CLUSTERSIM_CONFIG_DIR or the repository's configs/)")(
      "sources", "show where each entry's numbers come from")("prices", "list the price catalog (as `catalog prices`)");
  po::positional_options_description pos;
  pos.add("what", 1);
  const auto vm = parse_command_line("catalog", args, opts, pos);
  if (vm.count("help")) {
    std::cout << help_text("clustersim catalog [gpus|models|prices|all] [--prices] [--sources] [--catalog DIR]",
                           "Lists the GPUs and models of the catalogs (configs/hardware/gpus.yaml, configs/models/)\n"
                           "by the names `clustersim estimate` and scenarios use. Scenarios may add their own\n"
                           "entries under `gpus:` and `models:`.",
                           opts, "  clustersim catalog\n  clustersim catalog gpus --sources\n");
    return kExitOk;
  }
  const std::string what =
      vm.count("prices") ? "prices" : vm.count("what") ? vm["what"].as<std::string>() : "all";
  if (what != "all" && what != "gpus" && what != "models" && what != "prices")
    throw UsageError("unknown list '" + what + "'; expected gpus, models, prices or all");
  const std::filesystem::path dir = config_dir(vm.count("catalog") ? vm["catalog"].as<std::string>() : "");
  const bool verbose = vm.count("sources") > 0;
  if (what == "prices") {
    print_prices(load_price_catalog(price_catalog_dir(dir)), load_gpu_catalog(gpu_catalog_file(dir)), verbose);
    return kExitOk;
  }
  if (what != "models") print_gpus(load_gpu_catalog(gpu_catalog_file(dir)), verbose);
  if (what == "all") std::printf("\n");
  if (what != "gpus") print_models(load_model_catalog(model_catalog_dir(dir)), verbose);
  return kExitOk;
}

}  // namespace cs
