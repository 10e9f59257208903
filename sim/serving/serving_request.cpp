#include "sim/serving/serving_request.hpp"

#include <limits>

namespace cs {

std::string_view request_status_name(RequestStatus status) {
  switch (status) {
    case RequestStatus::kCompleted:
      return "completed";
    case RequestStatus::kRejected:
      return "rejected";
    case RequestStatus::kDropped:
      return "dropped";
    case RequestStatus::kUnfinished:
      return "unfinished";
  }
  return "unknown";
}

std::optional<Time> RequestOutcome::decode_queue_wait() const {
  if (!first_token) return std::nullopt;
  if (!phase_scheduled) return status == RequestStatus::kCompleted ? std::optional<Time>(Time{}) : std::nullopt;
  return *phase_scheduled - *first_token;
}

double RequestOutcome::tpot_seconds() const {
  if (status != RequestStatus::kCompleted || output_tokens < 2 || !finish || !first_token)
    return std::numeric_limits<double>::quiet_NaN();
  return (*finish - *first_token).seconds() / static_cast<double>(output_tokens - 1);
}

}  // namespace cs
