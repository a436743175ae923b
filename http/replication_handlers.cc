#include "http/replication_handlers.h"

#include "http/checkpoint_stream.h"
#include "http/problem.h"
#include "http/query_params.h"

namespace flagledger {

void HandleReplicationCheckpoint(FlagStore& store, const RequestContext& context, Responder respond,
                                 BackgroundWork& background) {
  Status names = CheckQueryNames(context.target, {});
  if (!names.ok()) return respond(ProblemResponse(names));
  auto answer = std::make_shared<Responder>(std::move(respond));
  bool queued = background.Post([&log = store.log(), answer] {
    const Responder& respond = *answer;
    std::uint64_t sequence = log.last_sequence();
    auto stream = CheckpointStream::Open(log);
    if (!stream.ok()) return respond(ProblemResponse(stream.status()));
    HttpResponse response;
    response.content_type = MediaType::kTar;
    response.event_sequence = sequence;
    response.headers.emplace_back("Flagledger-Log-Id", log.log_id());
    response.headers.emplace_back("Content-Disposition",
                                  "attachment; filename=\"flagledger-checkpoint.tar\"");
    response.stream = std::move(stream).value();
    respond(std::move(response));
  });
  if (!queued) {
    (*answer)(ProblemResponse(Status(ErrorCode::kUnavailable, "the server is shutting down")));
  }
}

}  // namespace flagledger
