#pragma once
#include "sim/hardware/named_catalog.hpp"
#include "sim/llm/transformer_spec.hpp"

namespace cs {

class ModelCatalog : public NamedCatalog<TransformerSpec> {
 public:
  ModelCatalog() : NamedCatalog<TransformerSpec>("model") {}
};

}  // namespace cs
