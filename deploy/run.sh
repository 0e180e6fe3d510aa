#!/usr/bin/env bash
# casebridge developer entry point: installs what is missing (Debian 12, as root), builds, runs.
#
#   bash deploy/run.sh demo   build (Release) and run the main job (`casebridge demo`) on the sandbox
#   bash deploy/run.sh test   build and run every test, then the whole suite again under
#                             AddressSanitizer + UndefinedBehaviorSanitizer
#   bash deploy/run.sh deps   only install the missing Debian packages and the test tools
#
# Environment: CASEBRIDGE_JOBS (parallel jobs, default: nproc), CASEBRIDGE_SKIP_ASAN=1 (local use).
# With clang++-14 installed the test mode also runs the libFuzzer targets briefly
# (CASEBRIDGE_FUZZ_SECONDS each, default 5; CASEBRIDGE_SKIP_FUZZ=1 skips them).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
jobs=${CASEBRIDGE_JOBS:-$(nproc)}

packages=(
  ca-certificates build-essential g++ cmake ninja-build pkg-config python3 time tzdata
  clang-format clang-tidy
  libcpprest-dev libssl-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libboost-program-options-dev libgtest-dev libgmock-dev libbenchmark-dev
  libhowardhinnant-date-dev libsimdjson-dev libsqlite3-dev libpq-dev postgresql
  chromium python3-jsonschema ccache
)

install_missing() {
  local missing=()
  for p in "${packages[@]}"; do
    if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
      missing+=("$p")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "casebridge: installing missing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Tools the deploy/ checks need besides the packages above (tests/deploy, issue 14): Node.js
# with npm (the machine's own when it has one; Debian's otherwise), systemd-analyze, and the
# pinned npm packages of tests/deploy/node (test tooling only; never in the product image).
install_check_tools() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  local missing=()
  command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
  command -v systemd-analyze >/dev/null || missing+=(systemd)
  if [ ${#missing[@]} -ne 0 ]; then
    echo "casebridge: installing missing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
  npm_ci_pinned tests/deploy/node
  install_bench_tools
}

# npm_ci_pinned <dir under the root>: the packages its package-lock.json pins, installed only when
# the lock file changed since the last install (the stamp is a copy of it).
npm_ci_pinned() {
  local dir="$root/$1"
  if ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.casebridge-lock.json"; then
    echo "casebridge: installing the pinned npm packages of $1"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$dir/node_modules/.casebridge-lock.json"
  fi
}

# The jsforce peer of bench/peer_compare.sh (issue 13: jsforce and luxon, bench tooling only; its
# smoke test `bench.jsforce_peer_agrees` runs with the tests). Needs the Node.js installed above.
install_bench_tools() {
  npm_ci_pinned bench/peers/jsforce
}

# configure_and_build <dir> [cmake args...]
configure_and_build() {
  local dir=$1
  shift
  local launcher=()
  # ccache keeps compiled objects between runs (CI runs on the developer's own machine).
  if command -v ccache >/dev/null; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
  fi
  cmake -S "$root" -B "$dir" -G Ninja "${launcher[@]}" "$@" >"$dir.configure.log" 2>&1 || {
    cat "$dir.configure.log"
    return 1
  }
  cmake --build "$dir" --parallel "$jobs"
}

run_tests() {
  local dir=$1
  ctest --test-dir "$dir" --output-on-failure --parallel "$jobs" --timeout 600
}

# The libFuzzer targets (tests/fuzz, the `fuzz` preset: clang++-14, ASan + UBSan), each replaying
# its seed corpus and then fuzzing for CASEBRIDGE_FUZZ_SECONDS (default 5). Skipped without clang.
fuzz_short() {
  echo "== fuzz targets (clang++-14 + libFuzzer, ${CASEBRIDGE_FUZZ_SECONDS:-5} s each) =="
  local dir=$root/build-fuzz launcher=()
  if command -v ccache >/dev/null; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
  fi
  cmake --preset fuzz "${launcher[@]}" -DCASEBRIDGE_FUZZ_SECONDS="${CASEBRIDGE_FUZZ_SECONDS:-5}" \
    >"$dir.configure.log" 2>&1 || {
    cat "$dir.configure.log"
    return 1
  }
  cmake --build "$dir" --parallel "$jobs" --target fuzzers
  ctest --test-dir "$dir" --output-on-failure --parallel "$jobs" -L fuzz
}

mode=${1:-}
case "$mode" in
  deps)
    install_missing
    install_check_tools
    ;;
  demo)
    install_missing
    echo "casebridge: building (Release; log in build.log) ..."
    configure_and_build "$root/build" -DCMAKE_BUILD_TYPE=Release -DCASEBRIDGE_TESTS=OFF \
      -DCASEBRIDGE_BENCH=OFF >"$root/build.log" 2>&1 || {
      tail -n 40 "$root/build.log"
      exit 1
    }
    echo
    exec "$root/build/connector/cli/casebridge" demo
    ;;
  test)
    install_missing
    install_check_tools
    start=$(date +%s)
    echo "== build and test (RelWithDebInfo) =="
    configure_and_build "$root/build-test" -DCMAKE_BUILD_TYPE=RelWithDebInfo
    run_tests "$root/build-test"
    if [ "${CASEBRIDGE_SKIP_ASAN:-0}" != "1" ]; then
      echo "== build and test again under AddressSanitizer + UndefinedBehaviorSanitizer =="
      configure_and_build "$root/build-asan" -DCMAKE_BUILD_TYPE=Debug \
        -DCASEBRIDGE_SANITIZE=address,undefined -DCASEBRIDGE_BENCH=OFF
      ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
        run_tests "$root/build-asan"
    fi
    if [ "${CASEBRIDGE_SKIP_FUZZ:-0}" != "1" ] && command -v clang++-14 >/dev/null &&
      compgen -G "/usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null; then
      fuzz_short
    fi
    echo "casebridge: all test runs passed in $(($(date +%s) - start)) s"
    ;;
  *)
    sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
