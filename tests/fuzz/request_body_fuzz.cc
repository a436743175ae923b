// The body validation of each write endpoint (POST, PUT and PATCH .../rollout, revert and
// restore) and of OFREP's evaluation bodies. Any input gets a Status, never a crash; a rejected
// body always says why.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/request_body.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  using namespace flagledger;
  auto create = ParseCreateFlagBody(body, "org-a");
  FUZZ_CHECK(create.ok() || !create.status().detail().empty());
  auto update = ParseUpdateFlagBody(body, "org-a", "beta");
  FUZZ_CHECK(update.ok() || !update.status().detail().empty());
  auto patch = ParsePatchRolloutBody(body);
  FUZZ_CHECK(patch.ok() || !patch.status().detail().empty());
  for (bool dry_run_allowed : {false, true}) {
    auto revert = ParseRevertBody(body, dry_run_allowed);
    FUZZ_CHECK(revert.ok() || !revert.status().detail().empty());
    // An accepted point names exactly one of to_event and as_of.
    FUZZ_CHECK(!revert.ok() || revert->to_event.has_value() != revert->as_of.has_value());
    FUZZ_CHECK(!revert.ok() || dry_run_allowed || !revert->dry_run);
  }
  auto ofrep = ParseOfrepBody(body);
  FUZZ_CHECK(ofrep.ok() || !ofrep.status().detail().empty());
  return 0;
}
