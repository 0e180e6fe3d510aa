#include "connector/common/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace casebridge {

Status CreatePrivateFile(std::string const& path) {
  int fd = -1;
  do {
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR);
  } while (fd < 0 && errno == EINTR);
  ErrorInfo info;
  info.file = path;
  if (fd < 0) {
    int const err = errno;
    std::string message = "cannot create " + path + ": " + std::strerror(err);
    if (err == EEXIST) return Status(StatusCode::kAlreadyExists, std::move(message), info);
    return UnavailableError(std::move(message), std::move(info));
  }
  int const rc = ::fchmod(fd, S_IRUSR | S_IWUSR);  // exactly 0600, whatever the umask
  int const err = errno;
  ::close(fd);
  if (rc != 0) {
    ::unlink(path.c_str());
    return UnavailableError("cannot restrict " + path + " to its owner: " + std::strerror(err),
                            std::move(info));
  }
  return OkStatus();
}

}  // namespace casebridge
