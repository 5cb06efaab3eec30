// Status and Result<T>: how every engine function reports failure without exceptions.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace cairn {

/// The outcome of an operation: ok, or an error with a message and an optional hint.
class Status {
 public:
  /// Broad classes of failure that callers act on differently.
  enum class Code { kOk, kError, kNotFound, kLocked, kConflict, kCancelled, kRetryable, kTimeout };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(std::string message, std::string hint = "") {
    return Status(Code::kError, std::move(message), std::move(hint));
  }
  static Status WithCode(Code code, std::string message, std::string hint = "") {
    return Status(code, std::move(message), std::move(hint));
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& hint() const { return hint_; }

  /// Seconds the failing service asked to wait before a retry (0: no preference).
  double retry_after() const { return retry_after_; }
  Status& set_retry_after(double seconds) {
    retry_after_ = seconds;
    return *this;
  }
  /// The attribute the error is about ("manifest.spec.replicas"), when the reporter knows it;
  /// the engine turns it into the blueprint position of that attribute.
  const std::string& path() const { return path_; }
  Status& set_path(std::string path) {
    path_ = std::move(path);
    return *this;
  }

  /// Prefixes the message with context, e.g. "while creating local.file.x: ".
  Status& Prepend(const std::string& context) {
    message_ = context + message_;
    return *this;
  }

 private:
  Status(Code code, std::string message, std::string hint)
      : code_(code), message_(std::move(message)), hint_(std::move(hint)) {}

  Code code_ = Code::kOk;
  std::string message_;
  std::string hint_;
  double retry_after_ = 0;
  std::string path_;
};

/// A value or the Status that explains why there is none.
template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: implicit by design
  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace cairn
