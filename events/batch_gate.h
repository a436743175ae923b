// What decides, before the log writes a batch of its own writer, whether it may: a cluster's
// writer first commits the batch to the cluster (events/etcd_log.h).
#pragma once

#include "core/status.h"
#include "events/replicated_batch.h"

namespace flagledger {

class BatchGate {
 public:
  virtual ~BatchGate() = default;
  // Called by the log's writer with each batch Append is about to write (sequenced, encoded and
  // chained, as a follower would receive it). The log writes the batch only on OK; otherwise
  // it writes nothing and Append answers this status.
  virtual Status Admit(const ReplicatedBatch& batch) = 0;
  // Whether the writer may write what stays on this node alone (stored answers of writes that
  // appended nothing): the log writes them only on OK.
  virtual Status CheckWritable() = 0;
};

}  // namespace flagledger
