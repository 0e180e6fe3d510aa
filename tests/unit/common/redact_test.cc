#include "connector/common/redact.h"

#include <gtest/gtest.h>

namespace casebridge {
namespace {

TEST(RedactSecret, ALongSecretIsReplacedWhereverItAppears) {
  EXPECT_EQ(RedactSecret("token=abcdefgh12&x=abcdefgh12abcdefgh12", "abcdefgh12"),
            "token=<redacted>&x=<redacted><redacted>");
}

TEST(RedactSecret, AShortSecretIsReplacedOnlyWhereItStandsAlone) {
  EXPECT_EQ(RedactSecret("no response from https://forge.example.com", "p"),
            "no response from https://forge.example.com");
  EXPECT_EQ(RedactSecret("password p is wrong (p)", "p"),
            "password <redacted> is wrong (<redacted>)");
  EXPECT_EQ(RedactSecret("hunter2, not hunter22", "hunter2"), "<redacted>, not hunter22");
  EXPECT_EQ(RedactSecret("pw", "pw", "***"), "***");
}

TEST(RedactSecret, AnEmptySecretOrAReplacementHoldingItChangesNothingElse) {
  EXPECT_EQ(RedactSecret("text", ""), "text");
  // The search goes on after the replacement, so a replacement that holds the secret is safe.
  EXPECT_EQ(RedactSecret("aaaaaaaa aaaaaaaa", "aaaaaaaa", "[aaaaaaaa]"), "[aaaaaaaa] [aaaaaaaa]");
}

}  // namespace
}  // namespace casebridge
