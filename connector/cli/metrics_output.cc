#include "connector/cli/metrics_output.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace casebridge::cli {
namespace {

namespace fs = std::filesystem;

constexpr char kMetricsContentType[] = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace

void AddMetricsOptions(boost::program_options::options_description& opts, bool listen) {
  namespace po = boost::program_options;
  opts.add_options()("metrics-file", po::value<std::string>()->value_name("PATH"),
                     "after each run, write its Prometheus metrics to PATH (atomically, for "
                     "node-exporter's textfile collector; name it *.prom)");
  if (listen) {
    opts.add_options()("metrics-listen", po::value<std::string>()->value_name("HOST:PORT"),
                       "with --every: serve /metrics, /healthz and /readyz on HOST:PORT (port 0 "
                       "picks a free one; the address is printed)");
  }
}

std::variant<MetricsOptionValues, std::string> ReadMetricsOptions(
    boost::program_options::variables_map const& vm) {
  MetricsOptionValues v;
  if (vm.count("metrics-file") != 0) {
    v.file = vm["metrics-file"].as<std::string>();
    if (v.file.empty()) return std::string("--metrics-file: expected a file path");
    fs::path const dir = fs::path(v.file).parent_path();
    std::error_code ec;
    if (!dir.empty() && !fs::is_directory(dir, ec)) {
      return "--metrics-file: the directory " + dir.string() + " does not exist";
    }
  }
  if (vm.count("metrics-listen") != 0) {
    auto parsed = http::ParseHostPort(vm["metrics-listen"].as<std::string>());
    if (!parsed.ok()) return "--metrics-listen: " + parsed.status().message();
    v.listen = *parsed;
  }
  return v;
}

Status WriteFileAtomically(std::string const& path, std::string const& text) {
  std::string const temp = path + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      int const err = errno;
      std::remove(temp.c_str());
      return UnavailableError("cannot write " + temp + ": " + std::strerror(err));
    }
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    int const err = errno;
    std::remove(temp.c_str());
    return UnavailableError("cannot move " + temp + " into place at " + path + ": " +
                            std::strerror(err));
  }
  return OkStatus();
}

sync::RunFacts CollectRunFacts(store::StateStore& store, Instant now,
                               salesforce::Client const& client, double duration_seconds) {
  sync::RunFacts facts;
  facts.org = store.org();
  facts.duration_seconds = duration_seconds;
  if (auto flags = sync::CountStoredFlags(store, now); flags.ok()) facts.flags = *std::move(flags);
  if (auto last = store.LastFinishedRun(store::RunStatus::kSucceeded); last.ok() && *last) {
    facts.last_success = (*last)->finished;
  }
  if (auto usage = client.api_usage(); usage && usage->limit > 0) {
    facts.api_usage_ratio[facts.system] =
        static_cast<double>(usage->used) / static_cast<double>(usage->limit);
  }
  return facts;
}

MetricsPublisher::MetricsPublisher(MetricsOptionValues options, std::chrono::seconds interval)
    : options_(std::move(options)), readiness_(std::chrono::steady_clock::now(), interval) {}

MetricsPublisher::~MetricsPublisher() {
  if (server_) server_->Stop();
}

Status MetricsPublisher::Start(std::string const& command, std::ostream& out) {
  if (!options_.listen) return OkStatus();
  server_ = std::make_unique<http::HttpServer>(
      [this](http::ServerRequest const& request) { return Serve(request); });
  if (auto s = server_->Start(options_.listen->first, options_.listen->second); !s.ok()) {
    return s;
  }
  out << "casebridge " << command << ": serving /metrics, /healthz and /readyz on "
      << server_->base_url() << "\n";
  out.flush();
  return OkStatus();
}

Status MetricsPublisher::RunFinished(sync::SyncOutcome const& outcome,
                                     std::optional<sync::RunFacts> const& facts,
                                     std::string failure) {
  std::string text;
  {
    std::lock_guard lock(mu_);
    if (facts) metrics_.AddRun(outcome, *facts);
    text = metrics_.Text();
  }
  readiness_.RunFinished(std::move(failure));
  if (options_.file.empty() || !facts) return OkStatus();
  return WriteFileAtomically(options_.file, text);
}

void MetricsPublisher::Publish(std::string const& prefix, sync::SyncOutcome const& outcome,
                               store::StateStore& store, Instant now,
                               salesforce::Client const& client, double duration_seconds,
                               std::ostream& err) {
  if (!options_.any()) return;
  std::optional<sync::RunFacts> facts;
  if (!outcome.lock_held) facts = CollectRunFacts(store, now, client, duration_seconds);
  std::string failure = outcome.status.ok() ? std::string() : outcome.status.message();
  if (auto s = RunFinished(outcome, facts, std::move(failure)); !s.ok()) {
    err << prefix << "--metrics-file: " << s.message() << "\n";
  }
}

http::ServerResponse MetricsPublisher::Serve(http::ServerRequest const& request) const {
  if (request.method != "GET" && request.method != "HEAD") {
    return {405, "text/plain; charset=utf-8", "use GET\n"};
  }
  if (request.path == "/metrics") {
    std::lock_guard lock(mu_);
    return {200, kMetricsContentType, metrics_.Text()};
  }
  if (request.path == "/healthz") return {200, "text/plain; charset=utf-8", "ok\n"};
  if (request.path == "/readyz") {
    auto reason = readiness_.NotReadyReason(std::chrono::steady_clock::now());
    if (!reason) return {200, "text/plain; charset=utf-8", "ready\n"};
    return {503, "text/plain; charset=utf-8", "not ready: " + *reason + "\n"};
  }
  return {404, "text/plain; charset=utf-8", "not found: try /metrics, /healthz or /readyz\n"};
}

}  // namespace casebridge::cli
