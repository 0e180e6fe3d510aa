// Transport-independent request and response of the emulator. The cpprest listener converts
// to and from these; Composite subrequests are dispatched as ApiRequests too.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace casebridge::sandbox {

struct ApiRequest {
  std::string method;  // upper case: GET, POST, PATCH, PUT, DELETE
  std::string path;    // percent-decoded, without the query string
  std::vector<std::pair<std::string, std::string>> query;  // decoded parameters, in order
  std::map<std::string, std::string> headers;              // lower-case names
  std::string body;

  /// Header value by name (case-insensitive), or nullopt.
  [[nodiscard]] std::optional<std::string> Header(std::string_view name) const;
  /// First query parameter of that name (case-sensitive, as Salesforce), or nullopt.
  [[nodiscard]] std::optional<std::string> Param(std::string_view name) const;
};

struct ApiResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string content_type = "application/json;charset=UTF-8";
  /// Set for JSON responses; serialised into `body` by Finish().
  std::optional<nlohmann::ordered_json> json;
  std::string body;

  void SetHeader(std::string name, std::string value);
  [[nodiscard]] std::optional<std::string> Header(std::string_view name) const;
  /// Serialises `json` into `body` (no-op for non-JSON bodies).
  void Finish();
};

/// Percent-decodes `s`; `plus_is_space` for query strings and form bodies. Nullopt on a
/// malformed escape.
std::optional<std::string> PercentDecode(std::string_view s, bool plus_is_space);

/// Parses `a=1&b=two` (also form bodies). Nullopt on a malformed escape.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseQueryString(
    std::string_view s);

/// Splits a request target `/path?query` and decodes both parts into `request`.
bool SetTarget(ApiRequest& request, std::string_view target);

/// Percent-encodes a query-string value.
std::string PercentEncode(std::string_view s);

}  // namespace casebridge::sandbox
