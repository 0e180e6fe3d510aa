// libFuzzer property target: any value through Soql::Literal(), placed in a WHERE clause and read
// back by the sandbox's SOQL lexer (which decodes Salesforce's escape table), is one string
// token equal to the value, followed by the end of the query: no value can change a query.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "connector/salesforce/soql.h"
#include "connector/sandbox/soql_lexer.h"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  using casebridge::sandbox::TokenKind;
  std::string_view const value(reinterpret_cast<char const*>(data), size);
  std::string const soql =
      "SELECT Id FROM Case WHERE Subject = " + casebridge::salesforce::Soql::Literal(value);
  auto tokens = casebridge::sandbox::TokenizeSoql(soql);
  bool const ok = tokens.ok() && tokens->size() == 9 && (*tokens)[7].kind == TokenKind::kString &&
                  (*tokens)[7].value == value && (*tokens)[8].kind == TokenKind::kEnd;
  if (!ok) {
    std::fprintf(stderr, "Soql::Literal round trip failed for the query: %s\n", soql.c_str());
    std::abort();
  }
  return 0;
}
