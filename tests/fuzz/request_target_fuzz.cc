// Path and query parsing, as the API does it for every request: split the target, match a
// route, decode path segments and query parameters. Any input, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/identifier.h"
#include "http/query_params.h"
#include "http/request_target.h"
#include "http/router.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace flagledger;
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  RequestTarget target = ParseRequestTarget(raw);
  FUZZ_CHECK(target.path.size() <= raw.size());
  for (std::string_view segment : target.segments) {
    if (auto decoded = PercentDecode(segment)) IsValidIdentifier(*decoded);
  }
  if (auto match = MatchRoute(target)) {
    FUZZ_CHECK(!AllowedMethods(match->route).empty());
    FUZZ_CHECK(IsMethodAllowed(match->route, "GET") == IsMethodAllowed(match->route, "HEAD"));
  }
  (void)CheckQueryNames(target,
                        {"limit", "page", "after", "before", "order", "as_of", "as_of_event"});
  (void)QueryInteger(target, "limit", 20, 1, 1000);
  (void)QueryValue(target, "as_of");
  return 0;
}
