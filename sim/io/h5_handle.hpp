#pragma once
// Owning wrapper of an HDF5 identifier (file, group, dataset, dataspace, type, property list),
// closed with the right H5*close on destruction.
#include <hdf5.h>

#include <string>
#include <utility>

namespace cs {

class H5Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  H5Handle() = default;
  H5Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  H5Handle(H5Handle&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)), closer_(o.closer_) {}
  H5Handle& operator=(H5Handle&& o) noexcept {
    if (this != &o) {
      close();
      id_ = std::exchange(o.id_, H5I_INVALID_HID);
      closer_ = o.closer_;
    }
    return *this;
  }
  H5Handle(const H5Handle&) = delete;
  H5Handle& operator=(const H5Handle&) = delete;
  ~H5Handle() { close(); }

  hid_t get() const { return id_; }
  // Gives up ownership: for a close whose failure must be seen (H5Fclose flushes).
  hid_t release() { return std::exchange(id_, H5I_INVALID_HID); }
  void close() {
    if (id_ >= 0 && closer_) closer_(id_);
    id_ = H5I_INVALID_HID;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

// Throws std::runtime_error("HDF5: <what>") when `id` (or a status) is negative.
hid_t h5_check(hid_t id, const std::string& what);

}  // namespace cs
