#pragma once
#include "sim/hardware/gpu_spec.hpp"
#include "sim/hardware/named_catalog.hpp"

namespace cs {

class GpuCatalog : public NamedCatalog<GpuSpec> {
 public:
  GpuCatalog() : NamedCatalog<GpuSpec>("GPU") {}
};

}  // namespace cs
