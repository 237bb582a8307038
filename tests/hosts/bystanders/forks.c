/* Process creation the way ordinary programs do it, with no JVM anywhere:
 * forkguard must change nothing. Prints only what is the same on every run.
 *   many     200 forks, child i exits with status i
 *   threads  4 threads fork 25 times each, concurrently
 *   spawn    vfork+exec and posix_spawn */
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int wait_code(pid_t pid)
{
    int st;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + WTERMSIG(st);
}

static int many(void)
{
    pid_t pids[200];
    int i, bad = 0;
    for (i = 0; i < 200; i++) {
        pids[i] = fork();
        if (pids[i] == 0)
            _exit(i);
        if (pids[i] < 0)
            return printf("fork %d failed\n", i), 1;
    }
    for (i = 0; i < 200; i++) {
        int code = wait_code(pids[i]);
        if (code != i)
            printf("child %d: status %d\n", i, code), bad++;
    }
    printf("200 children, %d with a wrong status\n", bad);
    return bad != 0;
}

static void *forker(void *arg)
{
    long base = (long)arg, bad = 0;
    int i;
    for (i = 0; i < 25; i++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit((int)(base + i));
        if (wait_code(pid) != base + i)
            bad++;
    }
    return (void *)bad;
}

static int threads(void)
{
    pthread_t th[4];
    long i, bad = 0;
    for (i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, forker, (void *)(i * 50));
    for (i = 0; i < 4; i++) {
        void *r;
        pthread_join(th[i], &r);
        bad += (long)r;
    }
    printf("100 forks from 4 threads, %ld with a wrong status\n", bad);
    return bad != 0;
}

static int spawn(void)
{
    char *sh_argv[] = {"sh", "-c", "echo from posix_spawn; exit 7", NULL};
    pid_t pid;
    int rc;
    fflush(stdout);
    pid = vfork();
    if (pid == 0) {
        execl("/bin/echo", "echo", "from vfork+exec", (char *)NULL);
        _exit(127);
    }
    printf("vfork child: %d\n", wait_code(pid));
    fflush(stdout);
    rc = posix_spawn(&pid, "/bin/sh", NULL, NULL, sh_argv, environ);
    printf("posix_spawn: rc %d, child %d\n", rc, rc ? -1 : wait_code(pid));
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 1 && strcmp(argv[1], "many") == 0)
        return many();
    if (argc > 1 && strcmp(argv[1], "threads") == 0)
        return threads();
    if (argc > 1 && strcmp(argv[1], "spawn") == 0)
        return spawn();
    fprintf(stderr, "usage: forks many|threads|spawn\n");
    return 2;
}
