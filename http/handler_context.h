// What every handler gets: the request, its parsed target, and its checked path identifiers.
#pragma once

#include <string>

#include "core/status.h"
#include "http/http_message.h"
#include "http/request_target.h"

namespace flagledger {

struct RequestContext {
  const HttpRequest& request;
  const RequestTarget& target;
  std::string organization_id;      // decoded and valid; empty on routes without one
  std::string flag_key;             // likewise
  std::string actor = "anonymous";  // who the request acts as, for the audit trail
  std::string actor_token_id;       // the token it authenticated with; empty when none
  // The authenticated token's organization (or "*" for an operator token); empty where
  // authentication is off. OFREP takes the organization from it.
  std::string token_organization;
};

inline HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

inline Status FlagNotFound(const std::string& organization_id, const std::string& flag_key) {
  return Status(ErrorCode::kFlagNotFound,
                "flag '" + flag_key + "' does not exist in organization '" + organization_id + "'");
}

}  // namespace flagledger
