#pragma once
// Scalar attributes on an HDF5 object: text as variable-length UTF-8 (h5py reads str),
// numbers as float64 or int64.
#include <hdf5.h>

#include <cstdint>
#include <string>

namespace cs {

void write_attribute(hid_t object, const std::string& name, const std::string& value);
void write_attribute(hid_t object, const std::string& name, double value);
void write_attribute(hid_t object, const std::string& name, std::int64_t value);

}  // namespace cs
