#include "http/batch_stream.h"

#include "core/json_writer.h"
#include "events/base64.h"

namespace flagledger {

Status BatchStream::CheckStart(const EventLog& log, std::uint64_t after) {
  auto batches = log.ReadBatches(after, 1);
  return batches.ok() ? Status::Ok() : batches.status();
}

std::string BatchStream::Heartbeat() {
  std::string out = "event: heartbeat\ndata: {\"head\":";
  AppendJsonUint(out, log_.last_sequence());
  out += ",\"time\":\"";
  clock_.Now().AppendMicros(out);
  out += "\",\"log_id\":";
  AppendJsonString(out, log_.log_id());
  out += "}\n\n";
  return out;
}

ResponseStream::Part BatchStream::Next(std::string& out) {
  if (!greeted_) {
    greeted_ = true;
    out += Heartbeat();
  }
  const std::uint64_t head = log_.last_sequence();
  auto batches = log_.ReadBatches(cursor_, kMaxEvents);
  if (!batches.ok()) return Part::kFailed;
  for (const ReplicatedBatch& batch : *batches) {
    out += "id: ";
    AppendJsonUint(out, batch.last);
    out += "\nevent: batch\ndata: {\"first\":";
    AppendJsonUint(out, batch.first);
    out += ",\"last\":";
    AppendJsonUint(out, batch.last);
    out += ",\"head\":";
    AppendJsonUint(out, std::max(head, batch.last));
    out += ",\"idempotency\":[";
    for (std::size_t i = 0; i < batch.records.size(); ++i) {
      const IdempotencyRecord& record = batch.records[i];
      out += i > 0 ? ",{\"scope_key\":" : "{\"scope_key\":";
      AppendJsonString(out, record.scope_key);
      out += ",\"created_at\":";
      out += std::to_string(record.created_at.micros());
      out += ",\"request\":\"";
      out += EncodeBase64(record.request);
      out += "\",\"response\":\"";
      out += EncodeBase64(record.response);
      out += "\"}";
    }
    out += "]}\n";
    for (const std::string& event : batch.events) {
      out += "data: ";
      out += event;  // one line: the encoder never writes a raw newline
      out += '\n';
    }
    out += '\n';
    cursor_ = batch.last;
  }
  return out.empty() ? Part::kNothingYet : Part::kData;
}

}  // namespace flagledger
