// Splitting and percent-decoding a request-target.
#pragma once

#include <boost/container/small_vector.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace flagledger {

// A request-target split into its raw path segments and decoded query parameters; their inline
// capacity fits the API's paths and queries, so that parsing one allocates nothing.
struct RequestTarget {
  boost::container::small_vector<std::string_view, 8>
      segments;  // between '/', still percent-encoded
  boost::container::small_vector<std::pair<std::string, std::string>, 4>
      query;                      // decoded, in order
  bool query_well_formed = true;  // false when a query escape is malformed
  std::string_view path;          // the raw path, without the query
};

// REQUIRES: `target` outlives the result. "/a/b?x=1" gives segments {"a","b"}; an empty
// segment ("/a//b", "/a/") is kept as "".
RequestTarget ParseRequestTarget(std::string_view target);

// Decodes %XX escapes ('+' stays '+'). nullopt when an escape is malformed.
std::optional<std::string> PercentDecode(std::string_view text);

}  // namespace flagledger
