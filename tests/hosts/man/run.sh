#!/usr/bin/env bash
# The man pages (man/*.[1-8], roff): they render without groff warnings at 80
# columns, they name every FORKGUARD_* variable the library reads
# (stub/load.c's table) and every option and subcommand the command
# accepts (cli/run.c, cli/main.c, cli/report.c), and `./build.sh install` installs them.
set -u
source "$(dirname "$0")/../../lib.sh"
PAGES=("$ROOT"/man/*.[1-8])
T=$FG_TMP

if [ ! -e "${PAGES[0]}" ]; then
  fail "man: pages exist in man/" "none found"
  finish; exit
fi

for page in "${PAGES[@]}"; do
  name=$(basename "$page")
  bounded 30 env MANWIDTH=80 man --warnings -l "$page"
  check "man: $name renders without warnings (MANWIDTH=80 man --warnings -l)" \
    "rc $RC or warnings" bash -c "[ $RC = 0 ] && [ ! -s '$ERR' ] && [ -s '$OUT' ]"
done

# The pages' text with roff's escapes for fonts, '-' and zero-width undone,
# so that \fB\-\-mode\fP counts as --mode.
sed -e 's/\\f[BIRP]//g' -e 's/\\f([A-Z][A-Z]//g' -e 's/\\-/-/g' -e 's/\\&//g' -e 's/\\e/\\/g' \
    "${PAGES[@]}" >"$T/text"

# Every variable in the library's table: {"MODE=", offsetof(...)}.
mapfile -t vars < <(sed -n 's/^ *{"\([A-Z_]*\)=", offsetof.*/FORKGUARD_\1/p' "$ROOT/stub/load.c")
check "man: found the FORKGUARD_* table in stub/load.c" "parsed ${#vars[@]} names" \
  test "${#vars[@]}" -ge 8
for v in "${vars[@]}"; do
  check "man: $v is documented" "not in man/" grep -qw -- "$v" "$T/text"
done

# Every option and subcommand the command compares its arguments with: the
# rows of run.c's option table and the strcmp()s on an argument.
mapfile -t opts < <(grep -ohE '(\{|strcmp\((arg|argv\[i\]), )"--?[a-z][a-z-]*"' "$ROOT/cli/run.c" \
                      "$ROOT/cli/main.c" "$ROOT/cli/report.c" | sed 's/.*"\(.*\)"/\1/' | sort -u)
mapfile -t cmds < <(grep -ohE 'strcmp\(arg, "[a-z]+"\)' "$ROOT/cli/main.c" |
                    sed 's/.*"\(.*\)".*/\1/' | sort -u)
check "man: found the command's options in cli/" "parsed: ${opts[*]:-}" test "${#opts[@]}" -ge 8
check "man: found the command's subcommands in cli/main.c" "parsed: ${cmds[*]:-}" \
  test "${#cmds[@]}" -ge 2
for o in "${opts[@]}"; do
  check "man: option $o is documented" "not in man/" grep -qE -- "(^|[^a-z-])$o([^a-z-]|$)" "$T/text"
done
for c in "${cmds[@]}"; do
  check "man: subcommand '$c' is documented in forkguard(1)" "no 'forkguard $c'" \
    grep -qE "forkguard $c" "$T/text"
done

# ./build.sh install puts them under PREFIX/share/man, with the API names.
D=$T/destdir
bounded 300 env DESTDIR="$D" PREFIX=/opt/fg "$ROOT/build.sh" install
check "man: ./build.sh install (DESTDIR, PREFIX=/opt/fg) succeeds" "rc $RC" test "$RC" = 0
for f in man1/forkguard.1 man3/libforkguard.3 man3/forkguard_jvm_owner.3 \
         man3/forkguard_jvm_usable.3 man3/forkguard_version.3; do
  check "man: install puts share/man/$f" "missing or empty" test -s "$D/opt/fg/share/man/$f"
done
bounded 30 env MANPATH="$D/opt/fg/share/man" MANWIDTH=80 man forkguard_version
check "man: man finds forkguard_version(3) in the installed tree" "expected libforkguard(3)" \
  has "$OUT" 'forkguard_version'

finish
