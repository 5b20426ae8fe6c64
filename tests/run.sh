#!/usr/bin/env bash
# The README's second command, and what CI runs (.ci/run): the whole test suite.
#
#   ./tests/run.sh
#
# Installs missing packages (deploy/install-deps.sh), builds build-release (Release,
# built only: the optimiser's warnings are errors too), then configures, builds and runs
# ctest in two trees: build-test (Debug) and build-asan (Debug with AddressSanitizer and
# UndefinedBehaviorSanitizer). The ctest suite starts and stops its own throwaway
# PostgreSQL cluster and servers through fixtures. Both trees always run; the exit status
# is non-zero if anything failed (a build, a test, or a tree without tests).
#
# Environment: SPONA_TEST_TREES (default "build-test build-asan"), SPONA_BUILD_JOBS,
# CTEST_PARALLEL_LEVEL (passed to ctest as usual), SPONA_SKIP_INSTALL=1.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1
JOBS=${SPONA_BUILD_JOBS:-$(nproc)}

# Sanitizers: fail on the first report, with a stack trace; leaks count as failures.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0:print_stacktrace=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-print_suppressions=0:suppressions=$ROOT/tests/lsan.supp}
# Nothing may wait for a terminal.
export CI=${CI:-true} DEBIAN_FRONTEND=noninteractive

if ! "$ROOT/deploy/install-deps.sh" </dev/null; then
    echo "run.sh: installing packages failed" >&2
    exit 1
fi

declare -A RESULT
failed=0

# run_tree DIR CMAKE_ARGS...: configure, build and test one tree; records the outcome.
run_tree() {
    local dir=$1
    shift
    local started=$SECONDS
    printf '\n==> %s: configure (%s)\n' "$dir" "$*"
    if ! cmake -S "$ROOT" -B "$ROOT/$dir" -DSPONA_BUILD_TESTS=ON "$@" </dev/null; then
        RESULT[$dir]="configure FAILED"
        return 1
    fi
    printf '\n==> %s: build\n' "$dir"
    if ! cmake --build "$ROOT/$dir" -j "$JOBS" </dev/null; then
        RESULT[$dir]="build FAILED"
        return 1
    fi
    printf '\n==> %s: ctest\n' "$dir"
    local log=$ROOT/$dir/ctest-summary.log
    (cd "$ROOT/$dir" && ctest --output-on-failure --no-tests=error </dev/null) 2>&1 | tee "$log"
    local status=${PIPESTATUS[0]}
    local line
    line=$(grep -E '^[0-9]+% tests passed' "$log" | tail -n 1)
    if ((status != 0)); then
        RESULT[$dir]="tests FAILED: ${line:-ctest exit status $status} ($((SECONDS - started)) s)"
        return 1
    fi
    RESULT[$dir]="ok: ${line:-tests passed} ($((SECONDS - started)) s)"
    return 0
}

# build_only DIR CMAKE_ARGS...: configure and build one tree, no tests (the optimiser's
# warnings, e.g. -Wmaybe-uninitialized, appear only in a Release build).
build_only() {
    local dir=$1
    shift
    local started=$SECONDS
    printf '\n==> %s: configure and build only (%s)\n' "$dir" "$*"
    if ! cmake -S "$ROOT" -B "$ROOT/$dir" -DSPONA_BUILD_TESTS=ON "$@" </dev/null ||
        ! cmake --build "$ROOT/$dir" -j "$JOBS" </dev/null; then
        RESULT[$dir]="build FAILED"
        return 1
    fi
    RESULT[$dir]="ok: built ($((SECONDS - started)) s)"
}

TREES=${SPONA_TEST_TREES:-build-release build-test build-asan}
for tree in $TREES; do
    case $tree in
    build-release) build_only build-release -DCMAKE_BUILD_TYPE=Release -DSPONA_SANITIZE=OFF || failed=1 ;;
    build-test) run_tree build-test -DCMAKE_BUILD_TYPE=Debug -DSPONA_SANITIZE=OFF -DSPONA_TEST_NO_C_FILTER=ON || failed=1 ;;
    build-asan) run_tree build-asan -DCMAKE_BUILD_TYPE=Debug -DSPONA_SANITIZE=ON || failed=1 ;;
    *) echo "run.sh: unknown tree '$tree' (build-release, build-test, build-asan)" >&2; exit 2 ;;
    esac
done

printf '\n==> Summary\n'
for tree in $TREES; do
    printf '  %-11s %s\n' "$tree" "${RESULT[$tree]}"
done
if ((failed)); then
    printf 'FAILED\n'
    exit 1
fi
printf 'all tests passed\n'
