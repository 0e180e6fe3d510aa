#include "connector/common/line_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

namespace casebridge {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Small limits so the tests see every boundary: lines of up to 8 bytes, chunks of 4.
LineReader::Limits Small() {
  LineReader::Limits l;
  l.max_line = 8;
  l.max_skipped = 64;
  l.chunk = 4;
  return l;
}

// A ReadFn over `text` that hands out at most `step` bytes per call and records the largest
// request, so a test can check how much the reader asks for (its buffer).
struct TextSource {
  explicit TextSource(std::string t) : text(std::move(t)) {}
  std::string text;
  std::size_t pos = 0;
  std::size_t largest_request = 0;
  LineReader::ReadFn Fn() {
    return [this](char* dst, std::size_t size) -> StatusOr<std::size_t> {
      largest_request = std::max(largest_request, size);
      std::size_t const n = std::min(size, text.size() - pos);
      std::copy_n(text.data() + pos, n, dst);
      pos += n;
      return n;
    };
  }
};

// "L:<line>" per line, "TOO_LONG" per over-long line, "ERROR:<message>" for an error.
std::vector<std::string> ReadAll(LineReader& reader) {
  std::vector<std::string> out;
  std::string_view line;
  for (;;) {
    auto kind = reader.Next(line);
    if (!kind.ok()) {
      out.push_back("ERROR:" + kind.status().message());
      break;
    }
    if (*kind == LineReader::Kind::kEnd) break;
    out.push_back(*kind == LineReader::Kind::kTooLong ? "TOO_LONG" : "L:" + std::string(line));
  }
  return out;
}

TEST(LineReader, SplitsLinesAcrossChunksAndKeepsALastLineWithoutNewline) {
  TextSource src{"ab\n\ncdefgh\nij"};
  LineReader reader(src.Fn(), Small());
  EXPECT_THAT(ReadAll(reader), ElementsAre("L:ab", "L:", "L:cdefgh", "L:ij"));
}

TEST(LineReader, ALineAtTheCapIsReadAndALongerOneIsSkippedWithoutHoldingIt) {
  std::string const over(40, 'x');  // skipped: under max_skipped
  TextSource src{"12345678\n" + over + "\nafter\n" + "123456789"};
  LineReader reader(src.Fn(), Small());
  EXPECT_THAT(ReadAll(reader), ElementsAre("L:12345678", "TOO_LONG", "L:after", "TOO_LONG"));
  // The buffer never grew to the long line: requests stay around the cap plus a chunk.
  EXPECT_LE(src.largest_request, 16U);
}

TEST(LineReader, AnEndlessLineEndsTheInputWithAnErrorAfterTheSkipLimit) {
  TextSource src{"ok\n" + std::string(10'000, '\0')};
  LineReader reader(src.Fn(), Small());
  auto const got = ReadAll(reader);
  ASSERT_EQ(got.size(), 3U);
  EXPECT_EQ(got[0], "L:ok");
  EXPECT_EQ(got[1], "TOO_LONG");
  EXPECT_THAT(got[2], HasSubstr("without a line end: the input is not JSON Lines"));
  EXPECT_LT(src.pos, 200U);  // it stopped reading soon after the limit
}

TEST(LineReader, ReadErrorsArePassedOn) {
  LineReader reader([](char*, std::size_t) -> StatusOr<std::size_t> {
    return UnavailableError("Input/output error");
  });
  std::string_view line;
  auto kind = reader.Next(line);
  ASSERT_FALSE(kind.ok());
  EXPECT_EQ(kind.status().message(), "Input/output error");
}

TEST(LineReader, ReadsFromAStreamAndDescribesItsLimit) {
  std::istringstream in("one\ntwo\n");
  LineReader reader(ReadFromStream(in));
  EXPECT_THAT(ReadAll(reader), ElementsAre("L:one", "L:two"));
  EXPECT_EQ(reader.TooLongText(), "longer than 16 MiB");
}

}  // namespace
}  // namespace casebridge
