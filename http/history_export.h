// The body of a history export (docs/api.md, "Exports"): the filtered events as NDJSON (each
// event exactly as the JSON pages render it, one per line) or CSV (events/event_csv.h), read
// from the log a batch at a time as the client takes them, so memory stays constant however
// long the range. The range ends where the log ended when the export began.
#pragma once

#include <cstdint>
#include <string>

#include "events/event_codec.h"
#include "events/event_filter.h"
#include "events/event_log.h"
#include "http/response_stream.h"

namespace flagledger {

enum class ExportFormat { kNdjson, kCsv };

class HistoryExport : public ResponseStream {
 public:
  // REQUIRES: `log` outlives the export.
  HistoryExport(const EventLog& log, EventFilter filter, EventRange range, ExportFormat format);

  Part Next(std::string& out) override;
  bool live() const override { return false; }

  static constexpr std::size_t kBatch = 1024;  // events per chunk

 private:
  const EventLog& log_;
  const EventFilter filter_;
  EventRange range_;       // what is left: the cursor moves its after (or before) bound
  std::size_t remaining_;  // events still to send
  const ExportFormat format_;
  bool header_sent_ = false;
  bool done_ = false;
  EventDecoder decoder_;
};

}  // namespace flagledger
