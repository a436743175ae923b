// The binary form of a ProjectionSnapshot (format in snapshot_codec.cc).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "projections/projection_snapshot.h"

namespace flagledger {

std::string EncodeSnapshot(const ProjectionSnapshot& snapshot);

// Rejects (kInternal, with the reason) anything EncodeSnapshot did not write for this schema:
// a wrong magic, format or schema version, a checksum mismatch, truncation, invalid values, or
// flags out of order. Never returns a partly read snapshot.
Result<std::shared_ptr<const ProjectionSnapshot>> DecodeSnapshot(std::string_view bytes);

// True when both hold the same flags (value and version) at the same sequence; otherwise
// `difference` says where they first differ.
bool SameProjection(const ProjectionSnapshot& a, const ProjectionSnapshot& b,
                    std::string* difference);

}  // namespace flagledger
