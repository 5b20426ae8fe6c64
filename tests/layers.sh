#!/usr/bin/env bash
# The server's layers (docs/server.md, "Layers"), checked from the #include lines:
#   - policy/ and handlers/ include no header of net/;
#   - net/ includes no header of handlers/ or policy/, and of request/ only pipeline.h,
#     job.h and worker.h (the network hands jobs over and gets them back, nothing more);
#   - db/ includes nothing of the server's other layers;
#   - every header of server/ is implemented in the .c file of the same name (or is a
#     header of declarations only, listed below), and there is no include cycle.
# usage: layers.sh [SOURCE_ROOT]   (exit 1 and a line per fault when a rule is broken)
set -uo pipefail
root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
server=$root/server
faults=0
fault() { echo "layers: $*"; faults=$((faults + 1)); }

declare -A layer_of    # header name -> layer
for dir in "$server"/*/; do
    layer=$(basename "$dir")
    for header in "$dir"*.h; do
        [ -e "$header" ] && layer_of[$(basename "$header")]=$layer
    done
done

includes() { grep -ho '^#include "[^"]*"' "$@" 2>/dev/null | sed 's/#include "\(.*\)"/\1/'; }

for file in "$server"/*/*.[ch]; do
    layer=$(basename "$(dirname "$file")")
    name=${file#"$server"/}
    for header in $(includes "$file"); do
        target=${layer_of[$header]:-}
        [ -z "$target" ] && continue   # common/, config.h, generated, system
        case $layer:$target in
        policy:net | handlers:net) fault "$name includes $header: $layer may not include the network layer" ;;
        net:handlers | net:policy | net:db) fault "$name includes $header: the network layer may not include $target" ;;
        net:request)
            case $header in
            pipeline.h | job.h | worker.h) ;;
            *) fault "$name includes $header: the network layer sees only pipeline.h, job.h, worker.h of request/" ;;
            esac ;;
        db:db) ;;
        db:*) fault "$name includes $header: db/ may not include $target" ;;
        esac
    done
done

# headers of declarations only (shared structs, or tables spread over many files)
declarations_only=" job.h handlers.h statements.h server_run.h request.h pipeline.h "
for header in "$server"/*/*.h; do
    base=$(basename "$header" .h)
    case $declarations_only in *" $base.h "*) continue ;; esac
    source_file=$(dirname "$header")/$base.c
    if [ ! -e "$source_file" ]; then
        fault "${header#"$server"/} has no $base.c beside it (a header is implemented in the file of its name)"
        continue
    fi
    # every function the header declares (a declaration starts in column 0) is defined there
    for function in $(grep -E '^[A-Za-z_][A-Za-z0-9_ *]*[ *][a-z_][a-z0-9_]*\(' "$header" |
                      grep -vE '^(typedef|extern|static|#)' |
                      sed -E 's/^[^(]*[ *]([a-z_][a-z0-9_]*)\(.*/\1/'); do
        grep -qE "^[A-Za-z_][A-Za-z0-9_ *]*[ *]$function\(" "$source_file" ||
            fault "${header#"$server"/} declares $function, which $base.c does not define"
    done
done

# include cycles among the server's headers (depth-first search)
declare -A state
cycle_from() {   # header path...
    local header=$1
    shift
    state[$header]=visiting
    local path=${layer_of[$header]}/$header
    for next in $(includes "$server/$path"); do
        [ -n "${layer_of[$next]:-}" ] || continue
        if [ "${state[$next]:-}" = visiting ]; then
            fault "include cycle: $* $header -> $next"
        elif [ -z "${state[$next]:-}" ]; then
            cycle_from "$next" "$@" "$header ->"
        fi
    done
    state[$header]=done
}
for header in "${!layer_of[@]}"; do
    [ -z "${state[$header]:-}" ] && cycle_from "$header"
done

if ((faults)); then
    echo "layers: $faults fault(s)"
    exit 1
fi
echo "layers: ok (${#layer_of[@]} headers)"
