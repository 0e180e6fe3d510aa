#include "auth/token_cache.h"

namespace casebridge::auth {

StatusOr<Token> TokenCache::Get() {
  std::lock_guard<std::mutex> lock(mu_);
  if (token_) return *token_;
  ++fetches_;
  auto fetched = source_->Fetch();
  if (!fetched.ok()) return fetched.status();
  token_ = *fetched;
  return fetched;
}

void TokenCache::Invalidate(SecretString const& stale) {
  std::lock_guard<std::mutex> lock(mu_);
  if (token_ && token_->access_token == stale) token_.reset();
}

std::optional<Token> TokenCache::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return token_;
}

int TokenCache::fetch_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fetches_;
}

}  // namespace casebridge::auth
