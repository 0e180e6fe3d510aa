#include "auth/secret.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace casebridge::auth {

namespace {

ErrorInfo FieldInfo(std::string field, std::string file = {}) {
  ErrorInfo info;
  info.field = std::move(field);
  info.file = std::move(file);
  return info;
}

}  // namespace

SecretString& SecretString::operator=(SecretString const& other) {
  if (this != &other) {
    Wipe();
    value_ = other.value_;
  }
  return *this;
}

SecretString& SecretString::operator=(SecretString&& other) noexcept {
  if (this != &other) {
    Wipe();
    value_ = std::move(other.value_);
    other.value_.clear();
  }
  return *this;
}

SecretString::~SecretString() { Wipe(); }

void SecretString::Wipe() {
  // volatile writes so the compiler cannot drop the overwrite of a dying buffer.
  auto* p = reinterpret_cast<volatile char*>(value_.data());  // NOLINT
  for (std::size_t i = 0; i < value_.size(); ++i) p[i] = '\0';
  value_.clear();
}

std::string SecretFileModeProblem(std::string_view kind, std::string const& path,
                                  unsigned int mode) {
  if ((mode & (S_IRWXG | S_IRWXO)) == 0) return {};
  return std::string(kind) + " " + path +
         " is readable by group/others; restrict it with: chmod 600 " + path;
}

StatusOr<SecretString> ReadSecret(mappings::SecretSource const& source, std::string_view what,
                                  SecretFormat format) {
  std::string const name(what);
  std::string value;
  if (!source.env.empty()) {
    char const* v = std::getenv(source.env.c_str());
    if (v == nullptr || *v == '\0') {
      return FailedPreconditionError(
          name + ": environment variable " + source.env + " is not set or empty", FieldInfo(name));
    }
    value = v;
  } else if (!source.file.empty()) {
    struct stat st {};
    if (::stat(source.file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return FailedPreconditionError(
          name + ": secret file " + source.file + " does not exist or is not a regular file",
          FieldInfo(name, source.file));
    }
    if (auto problem = SecretFileModeProblem("secret file", source.file, st.st_mode);
        !problem.empty()) {
      return FailedPreconditionError(name + ": " + problem, FieldInfo(name, source.file));
    }
    std::ifstream in(source.file, std::ios::binary);
    if (!in) {
      return FailedPreconditionError(name + ": secret file " + source.file + " cannot be read",
                                     FieldInfo(name, source.file));
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    value = std::move(buf).str();
  } else if (!source.credential.empty()) {
    return FailedPreconditionError(name + ": credential " + source.credential +
                                       ": $CREDENTIALS_DIRECTORY is not set (systemd sets it for "
                                       "a service with LoadCredential=)",
                                   FieldInfo(name));
  } else {
    return FailedPreconditionError(name + ": no secret source configured (give env or file)",
                                   FieldInfo(name));
  }
  if (format == SecretFormat::kTrimTrailingWhitespace) {
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r' || value.back() == ' ' ||
                              value.back() == '\t')) {
      value.pop_back();
    }
  }
  if (value.empty()) {
    return FailedPreconditionError(name + ": the secret is empty", FieldInfo(name));
  }
  return SecretString(std::move(value));
}

}  // namespace casebridge::auth
