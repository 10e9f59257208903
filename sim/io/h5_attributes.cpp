#include "sim/io/h5_attributes.hpp"

#include "sim/io/h5_handle.hpp"

namespace cs {

namespace {
void write(hid_t object, const std::string& name, hid_t type, const void* data) {
  const std::string what = "cannot write attribute " + name;
  if (H5Aexists(object, name.c_str()) > 0) h5_check(H5Adelete(object, name.c_str()), what);
  H5Handle space(h5_check(H5Screate(H5S_SCALAR), what), H5Sclose);
  H5Handle attr(h5_check(H5Acreate2(object, name.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT), what),
                H5Aclose);
  h5_check(H5Awrite(attr.get(), type, data), what);
}
}  // namespace

void write_attribute(hid_t object, const std::string& name, const std::string& value) {
  H5Handle type(h5_check(H5Tcopy(H5T_C_S1), "string type"), H5Tclose);
  h5_check(H5Tset_size(type.get(), H5T_VARIABLE), "string type");
  h5_check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "string type");
  const char* text = value.c_str();
  write(object, name, type.get(), &text);
}

void write_attribute(hid_t object, const std::string& name, double value) {
  write(object, name, H5T_NATIVE_DOUBLE, &value);
}

void write_attribute(hid_t object, const std::string& name, std::int64_t value) {
  write(object, name, H5T_NATIVE_INT64, &value);
}

}  // namespace cs
