#include "connector/http/http_transport.h"

#include <gtest/gtest.h>

namespace casebridge::http {
namespace {

TEST(Headers, LookupIsCaseInsensitiveAndSetReplaces) {
  Headers h;
  h.Add("Sforce-Limit-Info", "api-usage=1/100");
  h.Set("content-type", "text/csv");
  h.Set("Content-Type", "application/json");
  EXPECT_EQ(h.Get("SFORCE-LIMIT-INFO").value_or(""), "api-usage=1/100");
  EXPECT_EQ(h.Get("content-TYPE").value_or(""), "application/json");
  EXPECT_EQ(h.size(), 2U);
  h.Remove("sforce-limit-info");
  EXPECT_FALSE(h.Get("Sforce-Limit-Info").has_value());
}

TEST(UrlEncode, EncodesReservedCharactersAndPlusInOffsets) {
  EXPECT_EQ(UrlEncode("SELECT Id FROM Case WHERE SystemModstamp > 2026-03-02T14:05:00+00:00"),
            "SELECT%20Id%20FROM%20Case%20WHERE%20SystemModstamp%20%3E%202026-03-02T14%3A05%3A00%"
            "2B00%3A00");
  EXPECT_EQ(UrlEncode("a-b_c.d~e"), "a-b_c.d~e");
  EXPECT_EQ(UrlEncode("\xC3\xA9"), "%C3%A9");
}

}  // namespace
}  // namespace casebridge::http
