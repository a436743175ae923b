#include "core/status.h"

namespace flagledger {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidJson:
      return "invalid_json";
    case ErrorCode::kInvalidQuery:
      return "invalid_query";
    case ErrorCode::kInvalidOrganizationId:
      return "invalid_organization_id";
    case ErrorCode::kInvalidFlagKey:
      return "invalid_flag_key";
    case ErrorCode::kUnauthorized:
      return "unauthorized";
    case ErrorCode::kForbidden:
      return "forbidden";
    case ErrorCode::kFlagNotFound:
      return "flag_not_found";
    case ErrorCode::kRouteNotFound:
      return "route_not_found";
    case ErrorCode::kMethodNotAllowed:
      return "method_not_allowed";
    case ErrorCode::kFlagExists:
      return "flag_exists";
    case ErrorCode::kPreconditionFailed:
      return "precondition_failed";
    case ErrorCode::kPayloadTooLarge:
      return "payload_too_large";
    case ErrorCode::kUnsupportedMediaType:
      return "unsupported_media_type";
    case ErrorCode::kIdempotencyKeyReused:
      return "idempotency_key_reused";
    case ErrorCode::kValidationFailed:
      return "validation_failed";
    case ErrorCode::kInternal:
      return "internal";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kReadOnlyReplica:
      return "read_only_replica";
    case ErrorCode::kReplicaBehind:
      return "replica_behind";
  }
  return "internal";
}

int ErrorCodeHttpStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidJson:
    case ErrorCode::kInvalidQuery:
    case ErrorCode::kInvalidOrganizationId:
    case ErrorCode::kInvalidFlagKey:
      return 400;
    case ErrorCode::kUnauthorized:
      return 401;
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kFlagNotFound:
    case ErrorCode::kRouteNotFound:
      return 404;
    case ErrorCode::kMethodNotAllowed:
      return 405;
    case ErrorCode::kFlagExists:
      return 409;
    case ErrorCode::kPreconditionFailed:
      return 412;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kUnsupportedMediaType:
      return 415;
    case ErrorCode::kIdempotencyKeyReused:
    case ErrorCode::kValidationFailed:
      return 422;
    case ErrorCode::kInternal:
      return 500;
    case ErrorCode::kUnavailable:
    case ErrorCode::kReadOnlyReplica:
    case ErrorCode::kReplicaBehind:
      return 503;
  }
  return 500;
}

}  // namespace flagledger
