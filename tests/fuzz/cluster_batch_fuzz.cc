// The values of the cluster's log in etcd (events/replicated_batch.h, events/etcd_log.h), which a
// node decodes from what etcd holds: any input is decoded or refused without a crash; a decoded
// batch numbers its events first..last and encodes back to the same bytes; a manifest is never
// a batch.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "events/etcd_log.h"
#include "events/replicated_batch.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto batch = flagledger::DecodeReplicatedBatch(input);
  auto manifest = flagledger::DecodeBatchManifest(input);
  FUZZ_CHECK(!(batch.ok() && manifest.has_value()));
  if (batch.ok()) {
    FUZZ_CHECK(!batch->events.empty());
    FUZZ_CHECK(batch->last == batch->first + batch->events.size() - 1);
    FUZZ_CHECK(flagledger::EncodeReplicatedBatch(*batch) == input);
  }
  if (manifest) {
    FUZZ_CHECK(manifest->parts > 0);
    auto again = flagledger::DecodeBatchManifest(
        flagledger::EncodeBatchManifest(manifest->parts, manifest->bytes, manifest->sha256));
    FUZZ_CHECK(again && again->parts == manifest->parts && again->bytes == manifest->bytes &&
               again->sha256 == manifest->sha256);
  }
  return 0;
}
