// Status and Result<T>: expected failures as values, carrying the API contract's error code.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace flagledger {

// The API's error codes (docs/api.md, "Errors"). Each maps to one HTTP status.
enum class ErrorCode {
  kInvalidJson,
  kInvalidQuery,
  kInvalidOrganizationId,
  kInvalidFlagKey,
  kUnauthorized,
  kForbidden,
  kFlagNotFound,
  kRouteNotFound,
  kMethodNotAllowed,
  kFlagExists,
  kPreconditionFailed,
  kPayloadTooLarge,
  kUnsupportedMediaType,
  kIdempotencyKeyReused,
  kValidationFailed,
  kInternal,
  kUnavailable,
  kReadOnlyReplica,  // a write reached a follower (it serves reads only)
  kReplicaBehind,    // a follower had not applied Flagledger-Min-Sequence in time
};

// The contract's spelling, e.g. "flag_not_found".
std::string_view ErrorCodeName(ErrorCode code);
// The HTTP status the contract gives the code, e.g. 404.
int ErrorCodeHttpStatus(ErrorCode code);

// One broken rule of a request body, e.g. {"rollout_condition.min_version", "..."}.
struct FieldError {
  std::string field;
  std::string message;
  bool operator==(const FieldError&) const = default;
};

// Success, or an error code with a human-readable detail and any per-field errors.
// Immutable once built; safe to copy across threads.
class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(ErrorCode code, std::string detail, std::vector<FieldError> field_errors = {})
      : ok_(false),
        code_(code),
        detail_(std::move(detail)),
        field_errors_(std::move(field_errors)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return ok_; }
  // REQUIRES: !ok() for code().
  ErrorCode code() const {
    assert(!ok_);
    return code_;
  }
  const std::string& detail() const { return detail_; }
  const std::vector<FieldError>& field_errors() const { return field_errors_; }

 private:
  bool ok_ = true;
  ErrorCode code_ = ErrorCode::kInternal;
  std::string detail_;
  std::vector<FieldError> field_errors_;
};

// A value of T, or the Status explaining why there is none. REQUIRES: a Result is built from
// a non-OK Status only.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}        // NOLINT: implicit by design, like StatusOr
  Result(Status status) : state_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(state_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(state_);
  }
  // REQUIRES: ok().
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace flagledger
