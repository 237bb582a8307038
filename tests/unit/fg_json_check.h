/* Validation of JSON records by Python's json module, for the unit tests.
 *
 * A pipe to one python3 process takes any number of records, one per line
 * (so a raw newline inside a record shows up as a broken record), and checks
 * each: strict UTF-8, an object, no duplicate keys, no NaN, and every key of
 * the expectation present with that value ("<any>": present). One process per
 * batch keeps the size sweeps fast. */
#ifndef FG_JSON_CHECK_H
#define FG_JSON_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

static const char fg_json_check_py[] =
    "import json, os, sys\n"
    "def nodup(pairs):\n"
    "    d = {}\n"
    "    for k, v in pairs:\n"
    "        if k in d: raise ValueError('duplicate key ' + k)\n"
    "        d[k] = v\n"
    "    return d\n"
    "def noconst(c): raise ValueError('not JSON: ' + c)\n"
    "raw = sys.stdin.buffer.read()\n"
    "want = json.loads(os.environ['FG_EXPECT'])\n"
    "bad = 0\n"
    "if not raw.endswith(b'\\n'):\n"
    "    print('json check: input does not end with a newline', file=sys.stderr); bad += 1\n"
    "lines = raw.split(b'\\n')\n"
    "if raw.endswith(b'\\n'): lines = lines[:-1]\n"
    "for i, line in enumerate(lines):\n"
    "    try:\n"
    "        d = json.loads(line.decode('utf-8'), object_pairs_hook=nodup,\n"
    "                       parse_constant=noconst)\n"
    "        assert isinstance(d, dict), 'not an object'\n"
    "        for k, v in want.items():\n"
    "            assert k in d, 'missing key ' + k\n"
    "            assert v == '<any>' or d[k] == v, '%s: %r != %r' % (k, d[k], v)\n"
    "    except Exception as e:\n"
    "        bad += 1\n"
    "        if bad < 5: print('json check: record %d: %s: %r' % (i, e, line[:300]),\n"
    "                          file=sys.stderr)\n"
    "sys.exit(1 if bad else 0)\n";

/* Starts a checker; `expect` is a JSON object of expected keys and values. */
static FILE *fg_json_open(const char *expect)
{
    setenv("FG_JSON_CHECK", fg_json_check_py, 1);
    setenv("FG_EXPECT", expect, 1);
    fflush(NULL);
    return popen("exec python3 -c \"$FG_JSON_CHECK\"", "w");
}

/* 0 when every record passed. */
static int fg_json_close(FILE *f)
{
    int st = pclose(f);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
        fprintf(stderr, "json check: python3 not found\n");
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* One record, checked on its own. */
static int fg_json_check_one(const char *rec, size_t n, const char *expect)
{
    FILE *f = fg_json_open(expect);
    if (!f)
        return -1;
    fwrite(rec, 1, n, f);
    return fg_json_close(f);
}

#endif
