/* libFuzzer target: the FORKGUARD_* configuration parser (preload/config.c).
 *
 * Input: byte 0 says which of the 8 variables are set (bit i: variable i),
 * byte 1 bit 0 is AT_SECURE; the rest is split at NUL bytes into the values
 * (an environment string cannot hold a NUL), in the order MODE, LOG, FORMAT,
 * ON_FORK, EXIT_CODE, CLASSPATH, DRIVERS, CLASSPATH_MODE.
 *
 * Checked: every field in range; a recognised value is taken silently, any
 * other set value gets exactly one message and the default; messages are one
 * printable line naming the variable and its expected values; EXIT_CODE is
 * taken only for 1..255 written in plain digits; secure mode drops LOG,
 * CLASSPATH and DRIVERS. */
#include "preload/config.h"
#include "preload/messages.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NVARS 8
static const char *const names[NVARS] = {"FORKGUARD_MODE",      "FORKGUARD_LOG",
                                         "FORKGUARD_FORMAT",    "FORKGUARD_ON_FORK",
                                         "FORKGUARD_EXIT_CODE", "FORKGUARD_CLASSPATH",
                                         "FORKGUARD_DRIVERS",   "FORKGUARD_CLASSPATH_MODE"};

struct seen {
    int count[NVARS];
    int total;
};

static void die(const char *why, const char *detail)
{
    fprintf(stderr, "fuzz_config: %s: %s\n", why, detail ? detail : "");
    abort();
}

static void on_error(void *ctx, const char *variable, const char *line)
{
    struct seen *s = ctx;
    size_t i, n = strlen(line);
    int v = -1;
    for (i = 0; i < NVARS; i++)
        if (strcmp(variable, names[i]) == 0)
            v = (int)i;
    if (v < 0)
        die("message for an unknown variable", variable);
    s->count[v]++;
    s->total++;
    if (n == 0 || n >= 512)
        die("message length out of range", line);
    for (i = 0; i < n; i++)
        if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] > 0x7e)
            die("message is not one printable line", line);
    if (strncmp(line, FG_MSG_PREFIX, strlen(FG_MSG_PREFIX)) != 0 ||
        strncmp(line + strlen(FG_MSG_PREFIX), variable, strlen(variable)) != 0 ||
        line[strlen(FG_MSG_PREFIX) + strlen(variable)] != '=')
        die("message does not start with 'forkguard: VARIABLE='", line);
    if (!strstr(line, ": expected ") || !strstr(line, "; using "))
        die("message does not say what is expected and what is used", line);
}

/* Mirrors of the contract, written from docs/contract.md, not from config.c. */
static int choice(const char *v, const char *const *names_, int n)
{
    int i;
    for (i = 0; i < n; i++)
        if (strcmp(v, names_[i]) == 0)
            return i;
    return -1;
}

static int exit_code_of(const char *v)
{
    long x = 0;
    const char *p = v;
    if (!*p)
        return -1;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        x = x * 10 + (*p - '0');
        if (x > 255)
            return -1;
    }
    return x >= 1 ? (int)x : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const modes[] = {"block", "warn", "off"};
    static const char *const formats[] = {"text", "json"};
    static const char *const on_fork[] = {"silent", "warn"};
    static const char *const cp_modes[] = {"isolated", "system"};
    char *copy, *vals[NVARS] = {0}, *p, *end;
    struct fg_config_input in;
    struct fg_config out;
    struct seen seen;
    unsigned mask;
    int i, want;

    if (size < 2)
        return 0;
    mask = data[0];
    copy = malloc(size - 2 + 1);
    memcpy(copy, data + 2, size - 2);
    copy[size - 2] = '\0';
    p = copy;
    end = copy + (size - 2);
    for (i = 0; i < NVARS; i++) {
        if (mask & (1u << i))
            vals[i] = p;
        p += strlen(p);
        if (p < end)
            p++;
    }
    memset(&in, 0, sizeof in);
    in.mode = vals[0];
    in.log = vals[1];
    in.format = vals[2];
    in.on_fork = vals[3];
    in.exit_code = vals[4];
    in.classpath = vals[5];
    in.drivers = vals[6];
    in.classpath_mode = vals[7];
    in.secure = data[1] & 1;
    memset(&seen, 0, sizeof seen);
    memset(&out, 0x5a, sizeof out);
    fg_config_parse(&in, &out, on_error, &seen);

    want = in.mode ? choice(in.mode, modes, 3) : 0;
    if ((int)out.mode != (want < 0 ? 0 : want) || seen.count[0] != (in.mode && want < 0))
        die("FORKGUARD_MODE", in.mode);
    want = in.format ? choice(in.format, formats, 2) : 0;
    if ((int)out.format != (want < 0 ? 0 : want) || seen.count[2] != (in.format && want < 0))
        die("FORKGUARD_FORMAT", in.format);
    want = in.on_fork ? choice(in.on_fork, on_fork, 2) : 0;
    if (out.on_fork_warn != (want < 0 ? 0 : want) || seen.count[3] != (in.on_fork && want < 0))
        die("FORKGUARD_ON_FORK", in.on_fork);
    want = in.classpath_mode ? choice(in.classpath_mode, cp_modes, 2) : 0;
    if ((int)out.classpath_mode != (want < 0 ? 0 : want) ||
        seen.count[7] != (in.classpath_mode && want < 0))
        die("FORKGUARD_CLASSPATH_MODE", in.classpath_mode);
    want = in.exit_code ? exit_code_of(in.exit_code) : 0;
    if (out.exit_code != (want < 0 ? 0 : want) || seen.count[4] != (in.exit_code && want < 0))
        die("FORKGUARD_EXIT_CODE", in.exit_code);

    /* LOG: "" is worth a message; "stderr" and unset mean stderr. */
    if (seen.count[1] != (in.log && !in.log[0]))
        die("FORKGUARD_LOG message count", in.log);
    if (in.secure) {
        if (out.log_path || out.classpath || out.drivers)
            die("secure execution kept a path or a classpath", NULL);
    } else {
        int log_used = in.log && in.log[0] && strcmp(in.log, "stderr") != 0;
        if (log_used ? out.log_path != in.log : out.log_path != NULL)
            die("FORKGUARD_LOG", in.log);
        if ((in.classpath && in.classpath[0]) ? out.classpath != in.classpath
                                              : out.classpath != NULL)
            die("FORKGUARD_CLASSPATH", in.classpath);
        if ((in.drivers && in.drivers[0]) ? out.drivers != in.drivers : out.drivers != NULL)
            die("FORKGUARD_DRIVERS", in.drivers);
    }
    if (seen.count[5] || seen.count[6] || seen.total > 6)
        die("unexpected messages", NULL);
    if (strcmp(fg_config_mode_name(out.mode), modes[out.mode]) != 0)
        die("fg_config_mode_name", NULL);
    free(copy);
    return 0;
}
