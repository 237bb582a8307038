#!/usr/bin/env bash
# Checks of the source tree itself (docs/maintainers.md): the committed
# .clang-format is applied, the layers call one way, the signal-safety labels
# hold where a grep can tell, and the repository stands on its own.
set -u
source "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 1

if ! git rev-parse --git-dir >/dev/null 2>&1; then
  fail "tree: a git checkout" "these checks read the tracked files (git is in packages/test.txt)"
  finish; exit
fi
mapfile -t C_FILES < <(git ls-files '*.c' '*.h')
LIB_DIRS=(stub preload hooks bridges jdbc)

if command -v clang-format >/dev/null; then
  bounded 120 clang-format --dry-run --Werror "${C_FILES[@]}"
  check "tree: every C file is formatted with the committed .clang-format" \
    "clang-format would change: $(grep -oE '^[^:]+\.[ch]' "$ERR" | sort -u | head -5 | tr '\n' ' ')" \
    test "$RC" = 0
else
  fail "tree: clang-format available" "install clang-format (packages/test.txt)"
fi

# Layers: stub/ (libforkguard.so) shares only pure headers of preload/ with
# the core and nothing else; preload/ is the core's base and includes nothing
# above it; bridges/ and jdbc/ build on preload/ only; cli/ shares
# preload/messages.h only.
bad=$(grep -nE '#include "\.\./' stub/*.[ch] | grep -vE '"\.\./(preload/(config|elf_lookup|log_path|messages|stub_core|fork_site|state|code_ranges)\.h|include/forkguard\.h)"')
check "tree: stub/ includes only preload/'s pure headers and the public header" "$bad" test -z "$bad"
bad=$(grep -nE '#include "\.\./stub/' preload/*.[ch] hooks/*.[ch] bridges/*.[ch] jdbc/*.[ch])
check "tree: the core includes nothing from stub/ (preload/stub_core.h is their interface)" "$bad" test -z "$bad"
bad=$(grep -nE '#include "\.\./(hooks|bridges|jdbc)/' preload/*.[ch])
check "tree: preload/ includes nothing from hooks/, bridges/ or jdbc/" "$bad" test -z "$bad"
bad=$(grep -nE '#include "\.\./(hooks|bridges|jdbc)/' bridges/*.[ch] jdbc/*.[ch] | grep -vE '^(bridges|jdbc)/[^:]+:[0-9]+:#include "\.\./(bridges|jdbc)/' )
bad+=$(grep -nE '#include "\.\./(hooks|jdbc)/' bridges/*.[ch]; grep -nE '#include "\.\./(hooks|bridges)/' jdbc/*.[ch])
check "tree: bridges/ and jdbc/ include only preload/" "$bad" test -z "$bad"
bad=$(grep -nE '#include "\.\./' cli/*.[ch] | grep -v '"\.\./preload/messages\.h"')
check "tree: cli/ shares only preload/messages.h with the library" "$bad" test -z "$bad"

# The labels (preload/backtrace.h, docs/maintainers.md): a _guarded function
# is called only from a guard job (a function named *_job_run, which
# fg_guard_run_sigsafe runs) or from another _guarded function; a _sigsafe
# function's body calls nothing that allocates, locks or reads the loader's
# lists. A grep cannot see through calls: tests/hosts/childpath proves the
# whole child path on the real thing.
calls_outside() { # PATTERN-CALLED ALLOWED-CALLER-REGEX
  awk -v called="$1" -v allowed="$2" '
    /^[a-zA-Z_].*\(/ && !/;[ \t]*$/ { if (match($0, /[a-zA-Z0-9_]+\(/)) fn = substr($0, RSTART, RLENGTH - 1) }
    !/^[ \t]*(\/\*|\*)/ && $0 ~ called "\\(" && $0 !~ "^[a-zA-Z_].*" called "\\(" && fn !~ allowed { print FILENAME ":" FNR ": " fn ": " $0 }
  ' "${@:3}"
}
lib_c=$(ls stub/*.c preload/*.c hooks/*.c bridges/*.c jdbc/*.c)
bad=$(calls_outside '[a-z_]+_guarded' '(_job_run|_guarded)$' $lib_c)
check "tree: _guarded functions are called only from guard jobs or other _guarded code" "$bad" test -z "$bad"
bad=$(awk '
  /^[a-zA-Z_].*\(/ && !/;[ \t]*$/ { fn = ""; if (match($0, /[a-zA-Z0-9_]+\(/)) fn = substr($0, RSTART, RLENGTH - 1) }
  fn ~ /_sigsafe$/ && !/^[ \t]*(\/\*|\*)/ && /[^a-z_](malloc|calloc|realloc|free|strdup|printf|fprintf|snprintf|dladdr|dlopen|dlsym|dl_iterate_phdr|pthread_mutex_lock|abort|exit)\(/ {
    print FILENAME ":" FNR ": " fn ": " $0 }
' $lib_c)
check "tree: no _sigsafe function calls malloc, free, stdio, dladdr/dlopen/dlsym, a mutex or abort" "$bad" test -z "$bad"

# Self-contained: the contract lives in docs/, nothing points outside.
# (The pattern is spelled in pieces so that this file does not match it.)
outside='\.\./'"shared|DESIGN"'\.md'
bad=$(git grep -nIE "$outside" -- . | head -5)
check "tree: nothing points outside the repository (the seed's shared folder or design document)" \
  "$bad" test -z "$bad"
finish
