#pragma once
// Which build of clustersim is running, so that a result stored by one build is not taken for
// another's (sweep and plan resume): the GNU build ID the linker writes into the executable (a
// hash of its contents: any change to the code changes it, an identical rebuild keeps it), or,
// when the linker wrote none, the SHA-256 of the executable file.
#include <string>

namespace cs {

// Lower-case hex; computed once per process.
const std::string& build_id();

}  // namespace cs
