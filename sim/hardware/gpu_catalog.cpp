#include "sim/hardware/gpu_catalog.hpp"

#include <cctype>

#include "sim/hardware/catalog_error.hpp"

namespace cs {

std::string catalog_key(const std::string& name) {
  std::string key;
  key.reserve(name.size());
  for (unsigned char c : name) key += (c == '_' || c == ' ') ? '-' : static_cast<char>(std::tolower(c));
  return key;
}

void GpuCatalog::add(GpuSpec gpu) {
  validate(gpu);
  std::string key = catalog_key(gpu.name);
  gpu.name = key;
  specs_.insert_or_assign(key, std::move(gpu));
}

void GpuCatalog::add_alias(const std::string& alias, const std::string& name) {
  get(name);
  aliases_.insert_or_assign(catalog_key(alias), catalog_key(name));
}

const GpuSpec* GpuCatalog::find(const std::string& name) const {
  std::string key = catalog_key(name);
  if (auto a = aliases_.find(key); a != aliases_.end()) key = a->second;
  auto it = specs_.find(key);
  return it == specs_.end() ? nullptr : &it->second;
}

const GpuSpec& GpuCatalog::get(const std::string& name) const {
  if (const GpuSpec* gpu = find(name)) return *gpu;
  throw UnknownNameError("GPU", name, names());
}

std::vector<std::string> GpuCatalog::names() const {
  std::vector<std::string> out;
  for (const auto& [key, spec] : specs_) out.push_back(key);
  return out;
}

}  // namespace cs
