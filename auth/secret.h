// Secrets in memory: a string that cannot be printed by accident, and the one function that reads
// a secret from where the configuration says it lives (an environment variable or a file).
//
// Secrets are read at the moment they are needed (token fetch) and dropped afterwards; they are
// never stored in configuration structs, never logged, never put into a Status message.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "connector/common/status.h"
#include "mappings/app_config.h"

namespace casebridge::auth {

/// A string holding a secret (access token, refresh token, client secret). Printing it — through
/// operator<<, ToString() or a formatter that uses either — yields "<redacted>". The buffer is
/// overwritten when the object is destroyed or assigned over. Not thread-safe (a value type).
class SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::string value) : value_(std::move(value)) {}
  SecretString(SecretString const& other) = default;
  SecretString(SecretString&& other) noexcept : value_(std::move(other.value_)) {
    other.value_.clear();
  }
  SecretString& operator=(SecretString const& other);
  SecretString& operator=(SecretString&& other) noexcept;
  ~SecretString();

  /// The secret itself: only for putting it on the wire.
  [[nodiscard]] std::string_view Reveal() const { return value_; }
  [[nodiscard]] bool empty() const { return value_.empty(); }
  /// Always "<redacted>".
  [[nodiscard]] static std::string ToString() { return "<redacted>"; }

  friend bool operator==(SecretString const& a, SecretString const& b) {
    return a.value_ == b.value_;
  }
  friend std::ostream& operator<<(std::ostream& os, SecretString const&) {
    return os << "<redacted>";
  }

 private:
  void Wipe();
  std::string value_;
};

/// What ReadSecret trims from a secret read from a file: the trailing newline an editor adds.
enum class SecretFormat { kTrimTrailingWhitespace, kVerbatim };

/// The problem with the permissions `mode` (st_mode) of the secret or key file `path`, or "" when
/// only its owner has access: "<kind> <path> is readable by group/others; restrict it with:
/// chmod 600 <path>". `kind` is e.g. "secret file" or "private key file".
std::string SecretFileModeProblem(std::string_view kind, std::string const& path,
                                  unsigned int mode);

/// Reads a secret from its source: the environment variable `source.env`, or the file
/// `source.file`. Errors (kFailedPrecondition) name the variable or file, never the content:
/// source empty, variable unset/empty, file missing/unreadable/empty, or a file group or others
/// may access (like a private key, a secret file must be chmod 600). `what` names the setting
/// in messages, e.g. "salesforce.client_secret".
StatusOr<SecretString> ReadSecret(mappings::SecretSource const& source, std::string_view what,
                                  SecretFormat format = SecretFormat::kTrimTrailingWhitespace);

}  // namespace casebridge::auth
