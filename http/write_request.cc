#include "http/write_request.h"

#include <variant>

#include "core/change_reason.h"
#include "http/entity_tags.h"
#include "http/problem.h"
#include "http/query_params.h"
#include "http/stored_response.h"

namespace flagledger {
namespace {

constexpr std::string_view kChangeReasonHeader = "Flagledger-Change-Reason";

Status UnsupportedMediaType(std::string_view accepted) {
  return Status(ErrorCode::kUnsupportedMediaType,
                "the request body must be sent as " + std::string(accepted));
}

// True when the media type is one of `accepted` (and any charset is UTF-8).
bool IsAcceptedMediaType(std::string_view content_type,
                         std::initializer_list<std::string_view> accepted) {
  auto lower_trim = [](std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    std::string out(text);
    for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return out;
  };
  std::size_t semicolon = content_type.find(';');
  std::string media_type = lower_trim(content_type.substr(0, semicolon));
  bool known = false;
  for (std::string_view type : accepted) known = known || media_type == type;
  if (!known) return false;
  while (semicolon != std::string_view::npos) {
    content_type.remove_prefix(semicolon + 1);
    semicolon = content_type.find(';');
    std::string parameter = lower_trim(content_type.substr(0, semicolon));
    if (parameter.starts_with("charset=") && parameter != "charset=utf-8" &&
        parameter != "charset=\"utf-8\"") {
      return false;
    }
  }
  return true;
}

// 1..255 printable ASCII characters, no spaces.
bool IsValidIdempotencyKey(std::string_view key) {
  if (key.empty() || key.size() > 255) return false;
  for (char c : key) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

void SubmitWrite(FlagStore& store, const RequestContext& context, Command command,
                 WriteRenderer renderer, Responder respond) {
  const HttpRequest& request = context.request;
  CommandContext asked_by{context.actor, request.request_id, context.actor_token_id, {}};
  if (request.change_reason_sent) {
    Status reason = CheckChangeReason(request.change_reason, kChangeReasonHeader);
    if (!reason.ok()) return respond(ProblemResponse(reason));
    asked_by.reason = request.change_reason;
  }
  if (!request.if_match.empty() && !std::holds_alternative<CreateFlag>(command.action)) {
    command.if_match = ParseIfMatch(request.if_match);
  }
  auto render = [renderer = std::move(renderer)](const WriteOutcome& outcome) {
    if (!outcome.status.ok()) return ProblemResponse(outcome.status);
    HttpResponse response = renderer(outcome);
    // For read-your-writes: a read with Flagledger-Min-Sequence of it sees this write.
    if (outcome.sequence != 0) {
      response.headers.emplace_back("Flagledger-Event-Sequence", std::to_string(outcome.sequence));
    }
    return response;
  };
  if (request.idempotency_key_sent) {
    if (!IsValidIdempotencyKey(request.idempotency_key)) {
      return respond(ProblemResponse(
          Status(ErrorCode::kValidationFailed, "the Idempotency-Key header is invalid",
                 {{"Idempotency-Key", "must be 1 to 255 printable ASCII characters"}})));
    }
    std::string identity = std::string(request.method) + ' ' + std::string(request.target) + '\n';
    identity.append(request.body);
    command.idempotency = IdempotencyRequest{
        context.organization_id + '\0' + std::string(request.idempotency_key), std::move(identity),
        [render](const WriteOutcome& outcome) { return EncodeStoredResponse(render(outcome)); }};
  }
  store.Submit(std::move(command), std::move(asked_by),
               [render = std::move(render), respond = std::move(respond)](WriteOutcome outcome) {
                 if (!outcome.replayed_response) return respond(render(outcome));
                 auto replayed = DecodeStoredResponse(*outcome.replayed_response);
                 if (!replayed) {
                   return respond(ProblemResponse(
                       Status(ErrorCode::kInternal, "a stored idempotent response is damaged")));
                 }
                 replayed->headers.emplace_back("Idempotent-Replayed", "true");
                 respond(std::move(*replayed));
               });
}

Status CheckWriteRequest(const RequestContext& context,
                         std::initializer_list<std::string_view> media_types) {
  if (Status names = CheckQueryNames(context.target, {}); !names.ok()) return names;
  if (media_types.size() > 0 && !IsAcceptedMediaType(context.request.content_type, media_types)) {
    std::string accepted;
    for (std::string_view type : media_types) {
      if (!accepted.empty()) accepted += " or ";
      accepted += type;
    }
    return UnsupportedMediaType(accepted);
  }
  return Status::Ok();
}

}  // namespace flagledger
