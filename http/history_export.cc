#include "http/history_export.h"

#include "events/event_csv.h"

namespace flagledger {

HistoryExport::HistoryExport(const EventLog& log, EventFilter filter, EventRange range,
                             ExportFormat format)
    : log_(log),
      filter_(std::move(filter)),
      range_(range),
      remaining_(range.limit),
      format_(format) {
  // A fixed end: events appended during the export are not part of it.
  range_.before = std::min(range_.before, log.last_sequence() + 1);
}

ResponseStream::Part HistoryExport::Next(std::string& out) {
  if (format_ == ExportFormat::kCsv && !header_sent_) {
    header_sent_ = true;
    AppendEventCsvHeader(out);
    return Part::kData;
  }
  if (done_ || remaining_ == 0) return Part::kEnd;
  EventRange batch = range_;
  batch.limit = std::min(remaining_, kBatch);
  std::size_t sent = 0;
  std::uint64_t last = 0;
  bool undecodable = false;
  Status read = log_.Query(filter_, batch, [&](std::uint64_t sequence, std::string_view json) {
    if (format_ == ExportFormat::kNdjson) {
      out.append(json);  // one line: the encoder never writes a raw newline
      out.push_back('\n');
    } else {
      auto event = decoder_.Decode(json);
      if (!event.ok()) {
        undecodable = true;
        return false;
      }
      AppendEventCsvRows(out, *event);
    }
    last = sequence;
    ++sent;
    return true;
  });
  if (!read.ok() || undecodable) return Part::kFailed;
  remaining_ -= sent;
  if (sent < batch.limit) done_ = true;
  if (sent == 0) return Part::kEnd;
  (range_.descending ? range_.before : range_.after) = last;
  return Part::kData;
}

}  // namespace flagledger
