#pragma once
// The checks a training job's spec must pass as a whole, once every key is read (each key's own
// type and range is checked as it is read): sizes of at least one, and the splits that
// Megatron-style parallelism needs to come out whole. The loader calls it once per job, before
// the memory model sizes the job; TrainingIterationModel calls it for every spec it prices
// (`estimate`, plan search), through require_valid.
#include "sim/engine/spec_problem.hpp"
#include "sim/training/checkpoint.hpp"
#include "sim/training/cluster_scheduler.hpp"
#include "sim/training/failure_model.hpp"
#include "sim/training/training_job_spec.hpp"

namespace cs {

// Keys relative to the job's section (a `training:` map or one item of it).
SpecProblems validate(const TrainingJobSpec& job);

// The cluster's parts, keys as under `cluster.failures`, `checkpoint:` (the cluster's or a
// job's) and `cluster.scheduler`; the models built from them call the same checks.
SpecProblems validate(const FailureSpec& failures);      // MTBFs, repair time
SpecProblems validate(const CheckpointSpec& checkpoint);  // interval, write time, restart
SpecProblems validate(const ClusterSchedulerSpec& scheduler);

}  // namespace cs
