#!/usr/bin/env bash
# The layers of DESIGN.md, checked on every #include of the source tree: a folder may include
# its own headers and those of folders in lower layers only, so the data flow has no back edges.
# Usage: check_layers.sh REPOSITORY_ROOT. Prints each offending include; exit 1 if any.
set -euo pipefail
root=${1:?usage: check_layers.sh REPOSITORY_ROOT}
cd "$root"

# Layer of each source folder (lower numbers are lower layers).
declare -A layer=(
  [sim/engine]=0 [sim/io]=0
  [sim/hardware]=1 [topology]=1 [workloads]=1
  [sim/llm]=2 [sim/network]=2 [sim/queueing]=2 [sim/cost]=2
  [sim/serving]=3 [sim/training]=3
  [sim/metrics]=4 [sim/scenario]=4
  [sim/simulation]=5
  [sim/planning]=6
  [sim/app]=7
)

folder_of() {  # sim/<x>/... or topology/... or workloads/... -> the folder's key
  case $1 in
    sim/*) echo "$1" | cut -d/ -f1-2 ;;
    *) echo "$1" | cut -d/ -f1 ;;
  esac
}

status=0
while IFS= read -r file; do
  from=$(folder_of "$file")
  if [[ -z ${layer[$from]+x} ]]; then
    echo "$file: folder '$from' has no layer; add it to tests/layers/check_layers.sh (and docs/ARCHITECTURE.md)"
    status=1
    continue
  fi
  while IFS= read -r line; do
    target=$(folder_of "$line")
    [[ $target == "$from" ]] && continue
    if [[ -z ${layer[$target]+x} ]]; then
      echo "$file: includes \"$line\" from folder '$target', which has no layer"
      status=1
    elif (( layer[$target] >= layer[$from] )); then
      echo "$file: includes \"$line\": $from (layer ${layer[$from]}) may not depend on $target (layer ${layer[$target]})"
      status=1
    fi
  done < <(sed -nE 's/^[[:space:]]*#[[:space:]]*include[[:space:]]+"((sim\/[a-z_]+|topology|workloads)\/[^"]+)".*/\1/p' "$file")
done < <(find sim topology workloads -name '*.cpp' -o -name '*.hpp' | sort)
exit $status
