#include "sim/io/h5_handle.hpp"

#include <stdexcept>

namespace cs {

hid_t h5_check(hid_t id, const std::string& what) {
  if (id < 0) throw std::runtime_error("HDF5: " + what);
  return id;
}

}  // namespace cs
