#include "connector/common/line_reader.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace casebridge {
namespace {

std::string SizeText(std::size_t bytes) {
  if (bytes % (std::size_t{1} << 30) == 0) return std::to_string(bytes >> 30) + " GiB";
  if (bytes % (std::size_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

}  // namespace

LineReader::LineReader(ReadFn read, Limits limits) : read_(std::move(read)), limits_(limits) {
  if (limits_.chunk == 0) limits_.chunk = 1;
  capacity_ = limits_.max_line + 2 * limits_.chunk;
  buf_ = std::make_unique_for_overwrite<char[]>(capacity_);
}

std::string LineReader::TooLongText() const { return "longer than " + SizeText(limits_.max_line); }

// Reads up to one chunk behind end_. There is always room: it is called only while the bytes
// after begin_ (moved to the front) are at most max_line.
StatusOr<std::size_t> LineReader::Fill() {
  auto got = read_(buf_.get() + end_, std::min(limits_.chunk, capacity_ - end_));
  if (!got.ok()) return got.status();
  if (*got == 0) eof_ = true;
  end_ += *got;
  return *got;
}

// Drops the bytes of an over-long line up to and including its '\n'. True when the line ended.
StatusOr<bool> LineReader::SkipRest() {
  for (;;) {
    std::size_t const avail = end_ - begin_;
    if (auto const* nl = static_cast<char const*>(std::memchr(buf_.get() + begin_, '\n', avail))) {
      begin_ = static_cast<std::size_t>(nl - buf_.get()) + 1;
      scanned_ = begin_;
      skipping_ = false;
      return true;
    }
    skipped_ += avail;
    begin_ = scanned_ = end_ = 0;
    if (eof_) {
      skipping_ = false;
      return false;
    }
    if (skipped_ > limits_.max_skipped) {
      skipping_ = false;
      eof_ = true;  // nothing after this can be trusted to be lines
      return InvalidArgumentError("a line runs on for more than " + SizeText(limits_.max_skipped) +
                                  " without a line end: the input is not JSON Lines");
    }
    if (auto got = Fill(); !got.ok()) return got.status();
  }
}

StatusOr<LineReader::Kind> LineReader::Next(std::string_view& line) {
  line = {};
  if (skipping_) {
    auto ended = SkipRest();
    if (!ended.ok()) return ended.status();
  }
  for (;;) {
    char const* const base = buf_.get();
    if (auto const* nl =
            static_cast<char const*>(std::memchr(base + scanned_, '\n', end_ - scanned_))) {
      auto const len = static_cast<std::size_t>(nl - (base + begin_));
      std::size_t const start = begin_;
      begin_ = scanned_ = start + len + 1;
      if (len > limits_.max_line) return Kind::kTooLong;
      line = std::string_view(base + start, len);
      return Kind::kLine;
    }
    scanned_ = end_;
    std::size_t const partial = end_ - begin_;
    if (partial > limits_.max_line) {  // report now, drop its bytes as they come
      skipping_ = true;
      skipped_ = partial;
      begin_ = scanned_ = end_ = 0;
      return Kind::kTooLong;
    }
    if (eof_) {
      if (partial == 0) return Kind::kEnd;
      line = std::string_view(base + begin_, partial);  // a last line without '\n'
      begin_ = scanned_ = end_;
      return Kind::kLine;
    }
    if (begin_ > 0) {  // move the partial line to the front and read more behind it
      std::memmove(buf_.get(), buf_.get() + begin_, partial);
      end_ = scanned_ = partial;
      begin_ = 0;
    }
    if (auto got = Fill(); !got.ok()) return got.status();
  }
}

LineReader::ReadFn ReadFromFd(int fd) {
  return [fd](char* dst, std::size_t size) -> StatusOr<std::size_t> {
    ssize_t got = 0;
    do {
      got = ::read(fd, dst, size);
    } while (got < 0 && errno == EINTR);
    if (got < 0) return UnavailableError(std::strerror(errno));
    return static_cast<std::size_t>(got);
  };
}

LineReader::ReadFn ReadFromStream(std::istream& in) {
  return [&in](char* dst, std::size_t size) -> StatusOr<std::size_t> {
    if (in.eof()) return std::size_t{0};
    in.read(dst, static_cast<std::streamsize>(size));
    if (in.bad()) return UnavailableError("read error");
    return static_cast<std::size_t>(in.gcount());
  };
}

}  // namespace casebridge
