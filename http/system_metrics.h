// The metrics an operator alerts on outside the request path: storage health and errors, the
// data directory's size and its file system's free space, the newest snapshot's age, the wall
// clock running behind the log, and the process itself under the Prometheus client
// libraries' process_* names.
#pragma once

#include <string>

#include "projections/flag_store.h"

namespace flagledger {

// Appends those metrics, read now: a walk of the data directory, statvfs and /proc/self.
void AppendSystemMetrics(std::string& out, const FlagStore& store);

}  // namespace flagledger
