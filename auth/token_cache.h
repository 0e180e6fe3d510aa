// Keeps the current access token of a TokenSource and fetches a new one only when there is none
// or the current one was reported stale (a 401 from the API).
#pragma once

#include <memory>
#include <mutex>
#include <optional>

#include "auth/token_source.h"

namespace casebridge::auth {

/// Thread-safe. Fetches are serialised: concurrent callers after an invalidation wait for one
/// fetch instead of each starting their own.
class TokenCache {
 public:
  explicit TokenCache(std::shared_ptr<TokenSource> source) : source_(std::move(source)) {}

  /// The cached token, or a freshly fetched one (errors as TokenSource::Fetch()).
  StatusOr<Token> Get();
  /// Drops the cached token if it is still `stale` (a newer token fetched meanwhile by another
  /// caller is kept, so one expiry causes exactly one fetch).
  void Invalidate(SecretString const& stale);
  /// The cached token without fetching.
  [[nodiscard]] std::optional<Token> Current() const;
  /// Number of Fetch() calls made so far (successful or not).
  [[nodiscard]] int fetch_count() const;

 private:
  std::shared_ptr<TokenSource> source_;
  mutable std::mutex mu_;
  std::optional<Token> token_;
  int fetches_ = 0;
};

}  // namespace casebridge::auth
