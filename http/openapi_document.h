// The OpenAPI 3.1 description of the whole HTTP API (docs/openapi.json, compiled in).
#pragma once

#include <string_view>

namespace flagledger {

std::string_view OpenApiDocument();

}  // namespace flagledger
