// Removing secret values from text that came from a server or from the configuration (a server
// may echo what it was sent; a driver may quote the connection string). casebridge's own wording
// never holds a secret and is not passed through here.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace casebridge {

/// Secret values at least this long are redacted wherever they appear; shorter ones only where
/// they stand alone (see RedactSecret).
inline constexpr std::size_t kMinRedactedSecretLength = 8;

/// `text` with every occurrence of `secret` replaced by `replacement`. A secret of
/// kMinRedactedSecretLength or more characters is replaced wherever it appears; a shorter one only
/// where it is a word of its own (not inside a run of letters and digits), so that a one-letter
/// password cannot turn "https://" into "htt<redacted>s://" while an echoed "password p is wrong"
/// still loses it. An empty secret changes nothing.
std::string RedactSecret(std::string text, std::string_view secret,
                         std::string_view replacement = "<redacted>");

}  // namespace casebridge
