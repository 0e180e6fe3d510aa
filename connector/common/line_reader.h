// Reading text lines (JSON Lines input) with a bound on the length of one line.
//
// Flow: ReadFn (a file descriptor, an istream) --large chunks--> LineReader::Next() --> a line,
// or "too long" for a line over the cap, which is skipped without being held in memory. Memory
// stays within about max_line + 2 chunks whatever the input holds (/dev/zero included).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <string>
#include <string_view>

#include "connector/common/status.h"

namespace casebridge {

class LineReader {
 public:
  /// Fills up to `size` bytes at `dst` and returns how many it wrote; 0 at the end of the input.
  /// An error (kUnavailable, the message saying why) ends the reading.
  using ReadFn = std::function<StatusOr<std::size_t>(char* dst, std::size_t size)>;

  struct Limits {
    /// Bytes in one line, without its '\n' (16 MiB: far more than any snapshot needs).
    std::size_t max_line = std::size_t{16} << 20;
    /// An over-long line that runs on for more bytes than this without a '\n' ends the input
    /// with an error: the input is not text lines (e.g. /dev/zero, a binary file).
    std::size_t max_skipped = std::size_t{1} << 30;
    /// Bytes asked of ReadFn at a time.
    std::size_t chunk = std::size_t{1} << 20;
  };

  enum class Kind : std::uint8_t {
    kLine,     // `line` holds the line without its '\n'
    kTooLong,  // a line over max_line bytes; its bytes are skipped (`line` is empty)
    kEnd,      // the end of the input
  };

  explicit LineReader(ReadFn read) : LineReader(std::move(read), Limits{}) {}
  LineReader(ReadFn read, Limits limits);

  /// The next line. A final line without '\n' is a line too. `line` stays valid until the next
  /// call. Errors: ReadFn's error; kInvalidArgument when an over-long line runs past
  /// Limits::max_skipped bytes without a line end. Not thread-safe.
  StatusOr<Kind> Next(std::string_view& line);

  [[nodiscard]] Limits const& limits() const { return limits_; }

  /// "longer than 16 MiB": how a kTooLong line is described in messages.
  [[nodiscard]] std::string TooLongText() const;

 private:
  StatusOr<std::size_t> Fill();
  StatusOr<bool> SkipRest();

  ReadFn read_;
  Limits limits_;
  // max_line + 2 chunks, allocated once and left uninitialised: pages count towards the resident
  // set only once a line of that length has been read into them.
  std::unique_ptr<char[]> buf_;
  std::size_t capacity_ = 0;
  std::size_t begin_ = 0;    // first byte of the current line
  std::size_t scanned_ = 0;  // [begin_, scanned_) holds no '\n'
  std::size_t end_ = 0;      // end of the bytes read
  bool eof_ = false;
  bool skipping_ = false;    // inside an over-long line already reported
  std::size_t skipped_ = 0;  // bytes of that line seen so far
};

/// A ReadFn over a file descriptor (read(2), retried on EINTR; errors carry strerror).
LineReader::ReadFn ReadFromFd(int fd);

/// A ReadFn over an input stream (fails when the stream goes bad).
LineReader::ReadFn ReadFromStream(std::istream& in);

}  // namespace casebridge
