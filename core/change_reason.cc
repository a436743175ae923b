#include "core/change_reason.h"

#include <string>

#include "core/printable_text.h"

namespace flagledger {

Status CheckChangeReason(std::string_view text, std::string_view field) {
  std::string problem = PrintableTextProblem(text, kMaxReasonCharacters);
  if (problem.empty()) return Status::Ok();
  return Status(ErrorCode::kValidationFailed, "the change reason is invalid",
                {{std::string(field), std::move(problem)}});
}

}  // namespace flagledger
