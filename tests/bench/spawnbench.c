/* Start-up timer: runs one command N times under each of several environment
 * variants, interleaved (variant 0, 1, ..., 0, 1, ...), so that a change in
 * machine load hits every variant alike.
 *
 *   spawnbench N WARMUP VARIANT... -- CMD ARGS...
 *
 * A VARIANT is "-" (the environment as given, minus LD_PRELOAD) or a
 * comma-separated list of VAR=VALUE added to it. Each run is timed from
 * posix_spawn to wait4's return with CLOCK_MONOTONIC; stdout and stderr go to
 * /dev/null. Prints "run VARIANT_INDEX WALL_NS CPU_NS" per timed run, CPU_NS
 * being the child's user + system time (wait4), which other load on the
 * machine disturbs less than wall time. Exits non-zero when a run fails (the
 * command's own failure is a benchmark error). */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_VARIANTS 8
#define MAX_ENV 4096

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The caller's environment without LD_PRELOAD, plus the variant's pairs. */
static char **make_env(const char *spec)
{
    char **e = calloc(MAX_ENV, sizeof *e), *copy, *tok, *save = NULL;
    int n = 0, i;
    for (i = 0; environ[i] && n < MAX_ENV - 64; i++)
        if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0)
            e[n++] = environ[i];
    if (strcmp(spec, "-") != 0) {
        copy = strdup(spec);
        for (tok = strtok_r(copy, ",", &save); tok && n < MAX_ENV - 1;
             tok = strtok_r(NULL, ",", &save))
            e[n++] = tok;
    }
    e[n] = NULL;
    return e;
}

struct sample {
    int64_t wall, cpu;
};

static struct sample run_once(char **argv, char **envp, posix_spawn_file_actions_t *fa)
{
    struct rusage ru;
    struct sample s;
    int64_t t0, t1;
    pid_t pid;
    int status, rc;
    t0 = now_ns();
    rc = posix_spawn(&pid, argv[0], fa, NULL, argv, envp);
    if (rc != 0) {
        fprintf(stderr, "spawnbench: %s: %s\n", argv[0], strerror(rc));
        exit(2);
    }
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR) {
            perror("spawnbench: wait4");
            exit(2);
        }
    t1 = now_ns();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "spawnbench: %s failed (status 0x%x)\n", argv[0], status);
        exit(2);
    }
    s.wall = t1 - t0;
    s.cpu = ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
            ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
    return s;
}

int main(int argc, char **argv)
{
    char **envs[MAX_VARIANTS];
    posix_spawn_file_actions_t fa;
    int n, warmup, nv = 0, i, v, cmd = 0;
    if (argc < 6)
        goto usage;
    n = atoi(argv[1]);
    warmup = atoi(argv[2]);
    for (i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            cmd = i + 1;
            break;
        }
        if (nv == MAX_VARIANTS)
            goto usage;
        envs[nv++] = make_env(argv[i]);
    }
    if (!cmd || cmd >= argc || nv == 0)
        goto usage;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    for (i = 0; i < warmup; i++)
        for (v = 0; v < nv; v++)
            run_once(argv + cmd, envs[v], &fa);
    for (i = 0; i < n; i++)
        for (v = 0; v < nv; v++) {
            /* Alternate which variant goes first, so neither always runs
             * right after the other. */
            int which = (i & 1) ? nv - 1 - v : v;
            struct sample s = run_once(argv + cmd, envs[which], &fa);
            printf("run %d %lld %lld\n", which, (long long)s.wall, (long long)s.cpu);
        }
    return 0;
usage:
    fprintf(stderr, "usage: spawnbench N WARMUP VARIANT... -- CMD ARGS...\n");
    return 2;
}
