// libFuzzer target: what the Salesforce client parses from a server: error bodies, query pages
// and their records, Bulk API 2.0 CSV results, Sforce-Limit-Info and Retry-After headers.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "connector/common/time.h"
#include "connector/http/response_errors.h"
#include "connector/salesforce/api_usage.h"
#include "connector/salesforce/csv.h"
#include "connector/salesforce/errors.h"
#include "connector/salesforce/records.h"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  namespace sf = casebridge::salesforce;
  std::string_view const text(reinterpret_cast<char const*>(data), size);
  static_cast<void>(sf::ParseApiErrors(text));
  casebridge::http::HttpResponse response;
  response.status = 400;
  response.body = std::string(text);
  static_cast<void>(
      sf::ErrorFromResponse(response, "GET /services/data/v62.0/query", casebridge::Instant{}));
  std::string body(text);
  auto page = sf::ParseQueryPage(body, "GET /services/data/v62.0/query");
  if (page.ok()) {
    for (auto record : page->records) static_cast<void>(sf::FlattenRecord(record));
  }
  static_cast<void>(sf::FlattenRecord(text));
  static_cast<void>(sf::ParseCsv(text));
  static_cast<void>(sf::ParseLimitInfo(text));
  static_cast<void>(casebridge::http::ParseRetryAfter(text, casebridge::Instant{}));
  return 0;
}
