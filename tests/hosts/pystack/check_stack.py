"""check_stack.py LOG EVENT FILE [EXPECTED-LINE...]: the Python blocks of the
EVENT records (jni_in_child or fork) of a forkguard log, text or JSON.
Exactly one such record must carry one; its lines from FILE must be exactly
EXPECTED-LINE..., in that order (innermost last); forkguard's own frames must
not show. Options: --last LINE (the block's innermost line), --cut (the block
says outer frames were left out), --count N (lines in the block), --none (no
record of EVENT carries a Python block, and there is at least one record),
--first (several records may carry one: the first is checked)."""
import json
import sys

AT = "  at (Python):    "
INDENT = " " * 18


def blocks(path, event):
    """[(lines, cut)] of the EVENT records, and how many EVENT records."""
    out, n = [], 0
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("{"):
            d = json.loads(line)
            if d.get("event") == event:
                n += 1
                if "python_stack" in d:
                    out.append((d["python_stack"], d["python_stack_cut"]))
        elif line.startswith("forkguard: JNI call "):
            n += event == "jni_in_child"
        elif line.startswith("forkguard: pid ") and "owner of a live JVM, forked" in line:
            n += event == "fork"
        elif line.startswith(AT):
            # Records of concurrent processes may alternate: a block is a JNI
            # report's when its JNI backtrace follows, a fork record's when
            # the fork backtrace does.
            block = [line[len(AT):]]
            while i + 1 < len(lines) and lines[i + 1].startswith(INDENT):
                i += 1
                block.append(lines[i][len(INDENT):])
            after = lines[i + 1] if i + 1 < len(lines) else ""
            kind = "jni_in_child" if after.startswith("  at (JNI call):") else "fork"
            cut = block[0] == "(outer frames left out)"
            if kind == event:
                out.append(([b for b in block if b.startswith("File ")], cut))
        i += 1
    return out, n


def main():
    args = sys.argv[1:]
    opts = {}
    for name in ("--last", "--count"):
        if name in args:
            k = args.index(name)
            opts[name] = args[k + 1]
            del args[k:k + 2]
    for name in ("--cut", "--none", "--first"):
        if name in args:
            args.remove(name)
            opts[name] = True
    path, event, file, expected = args[0], args[1], args[2], args[3:]
    found, n = blocks(path, event)
    if opts.get("--none"):
        if n == 0 or found:
            sys.exit("expected %s records without a Python block: %d records, %d blocks"
                     % (event, n, len(found)))
        return
    if opts.get("--first"):
        found = found[:1]
    if len(found) != 1:
        sys.exit("expected one %s record with a Python block, got %d" % (event, len(found)))
    lines, cut = found[0]
    mine = [l for l in lines if l.startswith('File "%s"' % file)]
    problems = []
    if mine != expected:
        problems.append("lines of %s: %r, expected %r" % (file, mine, expected))
    if any("<forkguard>" in l for l in lines):
        problems.append("forkguard's own frames shown")
    if "--last" in opts and (not lines or lines[-1] != opts["--last"]):
        problems.append("innermost %r, expected %r" % (lines[-1:] or None, opts["--last"]))
    if "--count" in opts and len(lines) != int(opts["--count"]):
        problems.append("%d lines, expected %s" % (len(lines), opts["--count"]))
    if opts.get("--cut") and not cut:
        problems.append("not marked as cut")
    if not opts.get("--cut") and cut:
        problems.append("marked as cut")
    if problems:
        sys.exit("; ".join(problems) + "\nblock: " + "\n  ".join(lines))


main()
