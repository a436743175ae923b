#include "tools/token_request.h"

#include "core/identifier.h"
#include "core/printable_text.h"

namespace flagledger {

Command TokenRequest::ToCommand() const {
  Command command;
  command.organization_id = std::string(kSystemStream);
  command.flag_key = id;
  if (operation == Operation::kCreate) {
    command.action = CreateToken{name, organization_id, role, secret_sha256};
  } else {
    command.action = RevokeToken{};
  }
  return command;
}

Status ValidateTokenRequest(const TokenRequest& request) {
  auto bad = [](std::string message) {
    return Status(ErrorCode::kValidationFailed, std::move(message));
  };
  if (!IsValidIdentifier(request.id)) return bad("the token id '" + request.id + "' is not valid");
  std::string_view actor = request.actor;
  if (actor.starts_with("cli:")) actor.remove_prefix(4);
  if (!IsValidIdentifier(actor)) return bad("the actor '" + request.actor + "' is not valid");
  if (!IsValidIdentifier(request.request_id)) return bad("the request id is not valid");
  if (request.operation == TokenRequest::Operation::kRevoke) return Status::Ok();
  if (std::string problem = TokenNameProblem(request.name); !problem.empty()) {
    return bad("--name " + problem);
  }
  if (request.organization_id == kAllOrganizations) {
    if (request.role != Role::kAdmin && request.role != Role::kAuditor &&
        request.role != Role::kReplica) {
      return bad("--org '*' (every organization) needs --role admin, auditor or replica");
    }
  } else if (request.role == Role::kReplica) {
    return bad("--role replica reads the whole log: it needs --org '*'");
  } else if (!IsValidIdentifier(request.organization_id)) {
    return bad(
        "--org must be an organization id (1 to 128 characters from A-Z a-z 0-9 . _ - "
        "starting with a letter or digit) or '*'");
  }
  if (request.secret_sha256.size() != 64 ||
      request.secret_sha256.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return bad("the secret's hash must be 64 lowercase hex digits");
  }
  return Status::Ok();
}

std::string EncodeTokenRequest(const TokenRequest& request) {
  bool create = request.operation == TokenRequest::Operation::kCreate;
  std::string out = create ? "operation=create\n" : "operation=revoke\n";
  out += "id=" + request.id + "\n";
  if (create) {
    out += "name=" + request.name + "\n";
    out += "organization_id=" + request.organization_id + "\n";
    out += "role=" + std::string(RoleName(request.role)) + "\n";
    out += "secret_sha256=" + request.secret_sha256 + "\n";
  }
  out += "actor=" + request.actor + "\n";
  out += "request_id=" + request.request_id + "\n";
  return out;
}

Result<TokenRequest> ParseTokenRequest(std::string_view text) {
  TokenRequest request;
  bool has_operation = false;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    std::size_t equals = line.find('=');
    if (equals == std::string_view::npos) {
      return Status(ErrorCode::kValidationFailed, "a line without '='");
    }
    std::string_view name = line.substr(0, equals);
    std::string value(line.substr(equals + 1));
    if (name == "operation") {
      if (value != "create" && value != "revoke") {
        return Status(ErrorCode::kValidationFailed, "unknown operation");
      }
      request.operation =
          value == "create" ? TokenRequest::Operation::kCreate : TokenRequest::Operation::kRevoke;
      has_operation = true;
    } else if (name == "id") {
      request.id = value;
    } else if (name == "name") {
      request.name = value;
    } else if (name == "organization_id") {
      request.organization_id = value;
    } else if (name == "role") {
      auto role = ParseRole(value);
      if (!role) return Status(ErrorCode::kValidationFailed, "unknown role");
      request.role = *role;
    } else if (name == "secret_sha256") {
      request.secret_sha256 = value;
    } else if (name == "actor") {
      request.actor = value;
    } else if (name == "request_id") {
      request.request_id = value;
    } else {
      return Status(ErrorCode::kValidationFailed, "unknown member '" + std::string(name) + "'");
    }
  }
  if (!has_operation) return Status(ErrorCode::kValidationFailed, "no operation");
  Status valid = ValidateTokenRequest(request);
  if (!valid.ok()) return valid;
  return request;
}

}  // namespace flagledger
