# Helpers for suites that run a server (gunicorn, uWSGI, puma, unicorn):
# source it after lib.sh. The suite starts its server as
#   timeout -k 5 SECS SERVER ... &  SRV=$!
# ($SRV: the `timeout`, leader of the server's process group, a last-resort
# bound), then ends it with stop_server; the EXIT trap always does.
SRV=""

# stop_server SIGNAL SECS: SIGNAL to the master (the server's graceful stop),
# up to SECS for it to end, then SIGKILL to the whole group. STOP_CLEAN=1
# when no SIGKILL was needed.
stop_server() {
  [ -n "$SRV" ] || return 0
  local master deadline
  master=$(pgrep -P "$SRV" | head -1)
  [ -n "$master" ] && kill "-$1" "$master" 2>/dev/null
  deadline=$((SECONDS + $2))
  while kill -0 "$SRV" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  STOP_CLEAN=1
  if kill -0 "$SRV" 2>/dev/null; then
    STOP_CLEAN=0
    kill -KILL -- "-$SRV" 2>/dev/null || kill -KILL "$SRV" 2>/dev/null
  fi
  wait "$SRV" 2>/dev/null
  SRV=""
}
trap 'stop_server TERM 5' EXIT
trap 'exit 1' INT TERM HUP
