#include "http/revert_handlers.h"

#include <limits>

#include "core/json_writer.h"
#include "http/audit_handlers.h"
#include "http/entity_tags.h"
#include "http/problem.h"
#include "http/request_body.h"
#include "http/request_id.h"
#include "http/write_request.h"
#include "projections/organization_diff.h"
#include "projections/point_in_time.h"

namespace flagledger {
namespace {

Status InvalidPoint(std::string message) {
  return Status(ErrorCode::kValidationFailed, "the request body is invalid: to_event " + message,
                {{"to_event", message}});
}

// The point a revert or restore names. `to_event` must be 0 (before the first event) or an
// event of the organization, and no later than the newest; `as_of` is the newest event
// recorded at or before it, whichever stream that event is in.
Result<RevertPoint> ResolveRevertPoint(const EventLog& log, const std::string& organization_id,
                                       const RevertRequest& request) {
  RevertPoint point;
  if (request.as_of) {
    auto sequence = log.SequenceAt(*request.as_of);
    if (!sequence.ok()) return sequence.status();
    point.to_event = *sequence;
    point.as_of = request.as_of;
    return point;
  }
  point.to_event = *request.to_event;
  std::uint64_t newest = log.last_sequence();
  if (point.to_event > newest) {
    return InvalidPoint("is after the newest event, " + std::to_string(newest));
  }
  if (point.to_event == 0) return point;
  // An event of the organization is its own newest event at that point: one index seek.
  auto newest_of_organization = OrganizationSequenceAt(log, organization_id, point.to_event);
  if (!newest_of_organization.ok()) return newest_of_organization.status();
  if (*newest_of_organization != point.to_event) {
    return InvalidPoint("names event " + std::to_string(point.to_event) +
                        ", which is not an event of organization '" + organization_id + "'");
  }
  return point;
}

struct CheckedRevertRequest {
  RevertPoint point;
  bool dry_run = false;
};

// The checks a revert and a restore share, in the contract's order: no query, a JSON body, its
// members, then the point they name.
Result<CheckedRevertRequest> ReadRevertRequest(const EventLog& log, const RequestContext& context,
                                               bool dry_run_allowed) {
  if (Status checked = CheckWriteRequest(context, {"application/json"}); !checked.ok()) {
    return checked;
  }
  auto body = ParseRevertBody(context.request.body, dry_run_allowed);
  if (!body.ok()) return body.status();
  auto point = ResolveRevertPoint(log, context.organization_id, *body);
  if (!point.ok()) return point.status();
  return CheckedRevertRequest{*point, body->dry_run};
}

void AppendRevertPoint(std::string& out, const RevertPoint& point) {
  out += "{\"to_event\":";
  AppendJsonUint(out, point.to_event);
  out += ",\"as_of\":";
  AppendJsonMicrosOrNull(out, point.as_of);
  out.push_back('}');
}

void AppendFlagOrNull(std::string& out, const std::shared_ptr<const FlagRecord>& record) {
  out += record ? record->json : "null";
}

HttpResponse RenderReverted(const std::string& flag_key, const RevertPoint& point,
                            const WriteOutcome& outcome) {
  std::string body = "{\"flag_key\":";
  AppendJsonString(body, flag_key);
  body += ",\"reverted_to\":";
  AppendRevertPoint(body, point);
  body += ",\"change\":\"";
  if (outcome.reverted.empty()) {
    body += "unchanged\",\"event_sequence\":null";
  } else {
    const RevertedFlag& reverted = outcome.reverted.front();
    body += ChangeKind(reverted.before.get(), reverted.after.get());
    body += "\",\"event_sequence\":";
    AppendJsonUint(body, reverted.sequence);
  }
  body += ",\"flag\":";
  AppendFlagOrNull(body, outcome.record);
  body.push_back('}');
  HttpResponse response = JsonResponse(200, std::move(body));
  if (outcome.record) response.etag = FlagEtag(outcome.record->version);
  return response;
}

// The restore's answer, real or planned: its head, then one entry per flag it changes (or would
// change), by key. `append_entries` writes the entries' members after "change".
template <typename AppendEntries>
std::string RestoreBody(const std::string& organization_id, bool dry_run,
                        const std::string& restore_id, const RevertPoint& point,
                        std::uint64_t organization_sequence, AppendEntries append_entries) {
  std::string body = "{\"organization_id\":";
  AppendJsonString(body, organization_id);
  body += ",\"dry_run\":";
  AppendJsonBool(body, dry_run);
  body += ",\"restore_id\":";
  if (restore_id.empty()) {
    body += "null";
  } else {
    AppendJsonString(body, restore_id);
  }
  body += ",\"reverted_to\":";
  AppendRevertPoint(body, point);
  body += ",\"organization_sequence\":";
  AppendJsonUint(body, organization_sequence);
  body += ",\"data\":[";
  append_entries(body);
  body += "]}";
  return body;
}

void AppendEntryHead(std::string& out, bool first, std::string_view flag_key,
                     const std::shared_ptr<const FlagRecord>& now,
                     const std::shared_ptr<const FlagRecord>& restored) {
  if (!first) out.push_back(',');
  out += "{\"flag_key\":";
  AppendJsonString(out, flag_key);
  out += ",\"change\":\"";
  out += ChangeKind(now.get(), restored.get());
  out += "\",\"from\":";
  AppendFlagOrNull(out, now);
  out += ",\"to\":";
  AppendFlagOrNull(out, restored);
}

HttpResponse RenderRestored(const std::string& organization_id, const std::string& restore_id,
                            const RevertPoint& point, const WriteOutcome& outcome) {
  std::string body =
      RestoreBody(organization_id, false, outcome.reverted.empty() ? std::string() : restore_id,
                  point, outcome.organization_sequence, [&](std::string& out) {
                    for (const RevertedFlag& flag : outcome.reverted) {
                      AppendEntryHead(out, &flag == &outcome.reverted.front(), flag.flag_key,
                                      flag.before, flag.after);
                      out += ",\"event_sequence\":";
                      AppendJsonUint(out, flag.sequence);
                      out.push_back('}');
                    }
                  });
  HttpResponse response = JsonResponse(200, std::move(body));
  response.etag = FlagEtag(outcome.reverted.empty() ? outcome.organization_sequence
                                                    : outcome.reverted.back().sequence);
  return response;
}

// The dry run: what a restore would change now, from the diff between the point and the newest
// event (its `from` is the point, so each entry reads it backwards), with the events since the
// point that the restore would undo. Checks If-Match as the restore would.
void RespondRestorePlan(const FlagStore& store, const RequestContext& context,
                        const RevertPoint& point, const Responder& respond) {
  auto fail = [&](const Status& status) { respond(ProblemResponse(status)); };
  const EventLog& log = store.log();
  std::uint64_t head = log.last_sequence();
  auto organization_sequence = OrganizationSequenceAt(log, context.organization_id, head);
  if (!organization_sequence.ok()) return fail(organization_sequence.status());
  if (!context.request.if_match.empty() &&
      !ParseIfMatch(context.request.if_match).Accepts(*organization_sequence)) {
    return fail(Status(ErrorCode::kPreconditionFailed, "organization '" + context.organization_id +
                                                           "' is at event " +
                                                           std::to_string(*organization_sequence) +
                                                           ", which If-Match does not accept"));
  }
  auto diff = DiffOrganization(log, context.organization_id, point.to_event, head, "",
                               std::numeric_limits<std::size_t>::max());
  if (!diff.ok()) return fail(diff.status());
  std::string body = RestoreBody(
      context.organization_id, true, "", point, *organization_sequence, [&](std::string& out) {
        for (const FlagDifference& flag : diff->flags) {
          AppendEntryHead(out, &flag == &diff->flags.front(), flag.flag_key, flag.to, flag.from);
          out += ",\"event_sequence\":null,\"events\":";
          AppendEventSummaries(out, flag.events);
          out += ",\"events_truncated\":";
          AppendJsonBool(out, flag.events_truncated);
          out.push_back('}');
        }
      });
  HttpResponse response = JsonResponse(200, std::move(body));
  response.etag = FlagEtag(*organization_sequence);
  response.event_sequence = head;
  respond(std::move(response));
}

}  // namespace

void HandleRevertFlag(FlagStore& store, const RequestContext& context, Responder respond) {
  auto fail = [&](const Status& status) { respond(ProblemResponse(status)); };
  auto request = ReadRevertRequest(store.log(), context, false);
  if (!request.ok()) return fail(request.status());
  const RevertPoint& point = request->point;
  auto target = FlagAt(store.log(), context.organization_id, context.flag_key, point.to_event);
  if (!target.ok()) return fail(target.status());
  auto render = [flag_key = context.flag_key, point](const WriteOutcome& outcome) {
    return RenderReverted(flag_key, point, outcome);
  };
  SubmitWrite(store, context,
              Command{context.organization_id, context.flag_key,
                      RevertFlag{point, std::move(target).value()}},
              std::move(render), std::move(respond));
}

void HandleRestoreOrganization(FlagStore& store, const RequestContext& context, Responder respond) {
  auto fail = [&](const Status& status) { respond(ProblemResponse(status)); };
  auto request = ReadRevertRequest(store.log(), context, true);
  if (!request.ok()) return fail(request.status());
  const RevertPoint& point = request->point;
  if (request->dry_run) return RespondRestorePlan(store, context, point, respond);
  auto target = OrganizationAt(store.log(), context.organization_id, point.to_event);
  if (!target.ok()) return fail(target.status());
  std::string random;
  FillRandomHex(random, 16);
  std::string restore_id = "rst_" + random;
  auto render = [organization_id = context.organization_id, restore_id,
                 point](const WriteOutcome& outcome) {
    return RenderRestored(organization_id, restore_id, point, outcome);
  };
  SubmitWrite(store, context,
              Command{context.organization_id, "",
                      RestoreOrganization{point, restore_id, std::move(target).value()}},
              std::move(render), std::move(respond));
}

}  // namespace flagledger
