/* For the C test hosts: wait for a child with a bound, and say how it ended
 * in the line the suites grep for ("<who>: exit N", "<who>: signal N", and
 * "<who>: timeout after MS ms" before it is killed). Header-only: each host
 * is one translation unit built by its run.sh. */
#ifndef FG_TEST_WAIT_CHILD_H
#define FG_TEST_WAIT_CHILD_H

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static void fgt_print_status(const char *who, int status)
{
    if (WIFSIGNALED(status))
        printf("%s: signal %d\n", who, WTERMSIG(status));
    else
        printf("%s: exit %d\n", who, WEXITSTATUS(status));
    fflush(stdout);
}

/* waitpid with a bound: a child still alive after `ms` is reported as hung,
 * killed and reaped. */
static void fgt_wait_child(const char *who, pid_t pid, int ms)
{
    int status = 0, fd = (int)syscall(SYS_pidfd_open, pid, 0);
    struct pollfd p = {fd, POLLIN, 0};
    if (fd >= 0 && poll(&p, 1, ms) == 0) {
        printf("%s: timeout after %d ms\n", who, ms);
        kill(pid, SIGKILL);
    }
    waitpid(pid, &status, 0);
    if (fd >= 0)
        close(fd);
    fgt_print_status(who, status);
}

#endif
