// Ids, homeowners and text helpers of the demo org.
#include "connector/sandbox/demo_org_parts.h"

#include <array>
#include <cstdio>

#include "connector/sandbox/sf_ids.h"

namespace casebridge::sandbox::demo_org_internal {

// ---- ids and text --------------------------------------------------------------------------

std::string Id(std::string_view prefix, std::uint64_t seq) { return MakeId(prefix, kIdBase + seq); }
std::string UserId(std::uint8_t user) { return Id("005", user + 1U); }
std::string QueueId(std::uint8_t target) { return Id("00G", target == kToBackOfficeQueue ? 1 : 2); }
std::string InstallerId(std::uint8_t i) { return Id("001", i + 1U); }
std::string CaseId(std::size_t i) { return Id("500", i + 1); }
std::string ContactId(std::size_t i) { return Id("003", i + 1); }

std::string Padded(char const* format, std::uint64_t n) {
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), format, static_cast<unsigned long long>(n));
  return buf.data();
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Homeowner HomeownerOf(std::size_t i, std::uint64_t seed) {
  Rng r(StreamSeed(seed, 5, i));
  Homeowner h;
  h.first = std::string(kFirstNames.at(r.Below(kFirstNames.size())));
  h.last = std::string(kLastNames.at(r.Below(kLastNames.size())));
  h.email = Lower(h.first) + "." + Lower(h.last) + "." + std::to_string(i + 1) + "@example.com";
  h.phone =
      "+1 " + Padded("%03llu", 200 + r.Below(700)) + " 555 " + Padded("%04llu", r.Below(10000));
  return h;
}

std::string Iso(Instant t) { return FormatInstant(t); }

std::string DateOf(Instant t) { return FormatDate(chr::floor<days>(t)); }

void Put(json& object, char const* key, json value) {
  object.get_ref<json::object_t&>().emplace(key, std::move(value));
}

}  // namespace casebridge::sandbox::demo_org_internal
