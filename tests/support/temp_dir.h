// A temporary directory removed (with its contents) when the object goes out of scope.
#pragma once

#include <string>

namespace casebridge::testing_util {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(TempDir const&) = delete;
  TempDir& operator=(TempDir const&) = delete;

  [[nodiscard]] std::string const& path() const { return path_; }
  /// Writes `content` to `<dir>/<name>` (creating sub-directories) and returns the full path.
  std::string Write(std::string const& name, std::string const& content) const;
  /// Write() for a secret: the file is made 0600 (owner only), as casebridge requires of secret
  /// and key files.
  std::string WritePrivate(std::string const& name, std::string const& content) const;

 private:
  std::string path_;
};

}  // namespace casebridge::testing_util
