"""Validates a forkguard JSON log: every line one JSON object.

usage: check_log.py LOG CHECK [ARG]
  many          50 jni_in_child records from 50 distinct pids, all FindClass
  fork N        exactly N fork events, each with child_pid and a fork_backtrace
  path P        some frame string of some record contains the path P exactly
  config VAR    one config_error record whose message names VAR
Prints what it found; exits 1 on the first violation."""
import json
import sys


def records(path):
    out = []
    with open(path, "rb") as f:
        for n, raw in enumerate(f.read().split(b"\n")[:-1], 1):
            try:
                out.append(json.loads(raw.decode("utf-8")))
            except Exception as e:  # noqa: BLE001 - any failure is the finding
                sys.exit("line %d does not parse (%s): %r" % (n, e, raw[:200]))
    return out


def main():
    log, check = sys.argv[1], sys.argv[2]
    recs = records(log)
    if check == "many":
        jni = [r for r in recs if r["event"] == "jni_in_child"]
        pids = {r["pid"] for r in jni}
        assert len(jni) == 50 and len(pids) == 50, (len(jni), len(pids))
        assert all(r["function"] == "FindClass" and r["action"] == "abort" for r in jni)
    elif check == "fork":
        forks = [r for r in recs if r["event"] == "fork"]
        assert len(forks) == int(sys.argv[3]), forks
        assert all(r["child_pid"] > 0 and r["fork_backtrace"] for r in forks), forks
    elif check == "path":
        want = sys.argv[3]
        frames = [f for r in recs for f in r.get("backtrace", []) + r.get("fork_backtrace", [])]
        assert any("(" + want + ")" in f for f in frames), (want, frames[:3])
    elif check == "config":
        errs = [r for r in recs if r["event"] == "config_error"]
        assert len(errs) == 1 and sys.argv[3] in errs[0]["message"], errs
    else:
        sys.exit("unknown check " + check)
    # Silent on success: the suite prints the PASS line.


main()
