#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang with ASan and UBSan) in their own tree
# and runs each over its seed corpus (tests/fuzz/README.md).
#
#   tests/fuzz/run.sh [--dir DIR] [--build-only | --short | --long SECONDS] [TARGET...]
#
#   --dir DIR       the clang tree (default build-fuzz at the top of the repository)
#   --build-only    configure and build, run nothing
#   --no-build      run what DIR holds (after a --build-only)
#   --short         (default) each target for a few seconds from a fresh working corpus:
#                   what the test suite runs (ctest: fuzz.*)
#   --long SECONDS  each target for SECONDS, one after the other, keeping what it finds in
#                   DIR/corpus/TARGET for the next run; e.g. nice -n 19 tests/fuzz/run.sh --long 600
#   TARGET          frame envelope request policy config (default: all)
#
# Prints one line per target: executions, seconds, crashes. A crash leaves its input in
# DIR/crashes/ and makes the exit status 1; reproduce with DIR/tests/fuzz/fuzz_TARGET FILE.
# Exit status 77 (a skip for ctest) when clang or its libFuzzer runtime is not installed.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ALL_TARGETS=(frame envelope request policy config)
DIR=$ROOT/build-fuzz
MODE=short
BUILD=1
SECONDS_EACH=5
targets=()
while (($#)); do
    case $1 in
    --dir) DIR=$2; shift 2 ;;
    --build-only) MODE=build; shift ;;
    --no-build) BUILD=0; shift ;;
    --short) MODE=short; shift ;;
    --long) MODE=long; SECONDS_EACH=$2; shift 2 ;;
    -h | --help) sed -n '2,18p' "$0"; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
    esac
done
((${#targets[@]})) || targets=("${ALL_TARGETS[@]}")
[[ $SECONDS_EACH =~ ^[0-9]+$ ]] || { echo "run.sh: --long needs whole seconds" >&2; exit 2; }

# Skips (77) when this machine cannot build a fuzzer; deploy/install-deps.sh installs both.
CLANG=${SPONA_FUZZ_CC:-clang}
if ! command -v "$CLANG" >/dev/null; then
    echo "fuzz: SKIPPED: $CLANG is not installed (apt-get install clang libclang-rt-dev)"
    exit 77
fi
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' |
    "$CLANG" -x c -fsanitize=fuzzer,address,undefined -o /dev/null - 2>/dev/null; then
    echo "fuzz: SKIPPED: $CLANG cannot link -fsanitize=fuzzer (apt-get install libclang-rt-dev)"
    exit 77
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:print_stacktrace=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/lsan.supp}

mkdir -p "$DIR"
if ((BUILD)) && ! cmake -S "$ROOT" -B "$DIR" -DCMAKE_C_COMPILER="$CLANG" -DCMAKE_BUILD_TYPE= \
    -DCMAKE_C_FLAGS="-O1 -g" -DSPONA_BUILD_TESTS=OFF -DSPONA_BUILD_FUZZERS=ON \
    </dev/null >"$DIR/configure.log" 2>&1; then
    cat "$DIR/configure.log" >&2
    echo "fuzz: configuring $DIR failed" >&2
    exit 1
fi
if ((BUILD)) && ! cmake --build "$DIR" --target spona_fuzzers -j "${SPONA_BUILD_JOBS:-2}" </dev/null; then
    echo "fuzz: building the fuzzers failed" >&2
    exit 1
fi
[[ $MODE == build ]] && exit 0

mkdir -p "$DIR/crashes"
failed=0
printf '%-9s %12s %8s %8s\n' target executions seconds crashes
for target in "${targets[@]}"; do
    binary=$DIR/tests/fuzz/fuzz_$target
    seeds=$ROOT/tests/fuzz/corpus/$target
    if [[ ! -x $binary || ! -d $seeds ]]; then
        echo "fuzz: no target '$target' (${ALL_TARGETS[*]})" >&2
        failed=1
        continue
    fi
    if [[ $MODE == long ]]; then
        work=$DIR/corpus/$target
        mkdir -p "$work"
    else
        work=$(mktemp -d)
    fi
    log=$DIR/fuzz_$target.log
    before=$(find "$DIR/crashes" -name "$target-*" | wc -l)
    started=$SECONDS
    "$binary" -max_total_time="$SECONDS_EACH" -timeout=20 -print_final_stats=1 \
        -artifact_prefix="$DIR/crashes/$target-" "$work" "$seeds" </dev/null >"$log" 2>&1
    status=$?
    elapsed=$((SECONDS - started))
    [[ $MODE == long ]] || rm -rf "$work"
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    crashes=$(($(find "$DIR/crashes" -name "$target-*" | wc -l) - before))
    printf '%-9s %12s %8s %8s\n' "$target" "${runs:-?}" "$elapsed" "$crashes"
    if ((status != 0 || crashes != 0)); then
        failed=1
        echo "fuzz: $target failed (exit status $status); the end of $log:" >&2
        tail -n 40 "$log" >&2
    fi
done
exit $failed
