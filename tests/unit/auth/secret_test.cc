#include "auth/secret.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <sstream>

#include "auth/token_source.h"
#include "tests/support/temp_dir.h"

namespace casebridge::auth {
namespace {

TEST(SecretString, PrintsRedacted) {
  SecretString const s("00Dxx!AQ4AQFAKETOKENVALUE");
  std::ostringstream os;
  os << s;
  EXPECT_EQ(os.str(), "<redacted>");
  EXPECT_EQ(SecretString::ToString(), "<redacted>");
  EXPECT_EQ(s.Reveal(), "00Dxx!AQ4AQFAKETOKENVALUE");
  Token t;
  t.access_token = s;
  std::ostringstream ot;
  ot << t.access_token;
  EXPECT_EQ(ot.str().find("FAKETOKEN"), std::string::npos);
}

TEST(SecretString, MoveLeavesTheSourceEmpty) {
  SecretString a("abc");
  SecretString b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): checking the documented state
  EXPECT_EQ(b.Reveal(), "abc");
  SecretString c;
  c = std::move(b);
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(c, SecretString("abc"));
}

TEST(ReadSecret, FromEnvironmentVariable) {
  setenv("CASEBRIDGE_TEST_SECRET_A", "value-a", 1);
  auto s = ReadSecret({"CASEBRIDGE_TEST_SECRET_A", ""}, "salesforce.client_secret");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->Reveal(), "value-a");
  unsetenv("CASEBRIDGE_TEST_SECRET_A");
  auto missing = ReadSecret({"CASEBRIDGE_TEST_SECRET_A", ""}, "salesforce.client_secret");
  EXPECT_EQ(missing.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(missing.status().message(),
            "salesforce.client_secret: environment variable CASEBRIDGE_TEST_SECRET_A is not set "
            "or empty");
}

TEST(ReadSecret, FromFileTrimmingTheTrailingNewlineUnlessVerbatim) {
  testing_util::TempDir dir;
  auto const path = dir.WritePrivate("secret.txt", "value-b\r\n");
  auto s = ReadSecret({"", path}, "x");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->Reveal(), "value-b");
  auto v = ReadSecret({"", path}, "x", SecretFormat::kVerbatim);
  EXPECT_EQ(v->Reveal(), "value-b\r\n");
  auto const empty = dir.WritePrivate("empty.txt", "\n");
  EXPECT_EQ(ReadSecret({"", empty}, "x").status().code(), StatusCode::kFailedPrecondition);
  auto const gone = ReadSecret({"", dir.path() + "/nope"}, "salesforce.refresh_token");
  EXPECT_EQ(gone.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(gone.status().info().field, "salesforce.refresh_token");
  EXPECT_EQ(ReadSecret({}, "x").status().code(), StatusCode::kFailedPrecondition);
}

// A systemd credential is a file in $CREDENTIALS_DIRECTORY; the config loader resolves it and
// refuses a needed one without the directory. A source that reaches here unresolved names it.
TEST(ReadSecret, UnresolvedCredentialNamesTheCredential) {
  mappings::SecretSource source;
  source.credential = "forge-password";
  auto const s = ReadSecret(source, "forge.password");
  EXPECT_EQ(s.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.status().message(),
            "forge.password: credential forge-password: $CREDENTIALS_DIRECTORY is not set "
            "(systemd sets it for a service with LoadCredential=)");
}

TEST(ReadSecret, ErrorsNeverContainTheValue) {
  testing_util::TempDir dir;
  auto const path = dir.WritePrivate("s.txt", "   \n");
  auto const s = ReadSecret({"", path}, "x");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "x: the secret is empty");
}

TEST(ReadSecret, AFileGroupOrOthersMayReadIsRefusedLikeAPrivateKey) {
  testing_util::TempDir dir;
  for (mode_t const mode : {0644, 0640, 0604, 0660}) {
    auto const path = dir.Write("secret-" + std::to_string(mode) + ".txt", "value-c\n");
    chmod(path.c_str(), mode);
    auto const s = ReadSecret({"", path}, "salesforce.client_secret");
    ASSERT_FALSE(s.ok()) << "mode " << std::oct << mode;
    EXPECT_EQ(s.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(s.status().message(), "salesforce.client_secret: secret file " + path +
                                        " is readable by group/others; restrict it with: "
                                        "chmod 600 " +
                                        path);
    EXPECT_EQ(s.status().info().file, path);
  }
  auto const owner_only = dir.Write("owner.txt", "value-d\n");
  chmod(owner_only.c_str(), 0400);
  auto const ok = ReadSecret({"", owner_only}, "forge.password");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->Reveal(), "value-d");
}

}  // namespace
}  // namespace casebridge::auth
