/* libfgslow.so: a library whose constructor blocks, so that the thread that
 * dlopens it holds the loader's lock (dl_load_lock) for as long as the test
 * wants. The constructor writes one byte to FG_SLOW_READY_FD (the host then
 * knows the lock is held) and waits for a byte on FG_SLOW_WAIT_FD. Its wait
 * is bounded (10 s): a host that deadlocks on the lock is freed and says so,
 * instead of hanging the suite; that line is a failure. */
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void slow_init(void)
{
    static const char late[] = "slow: constructor released by its own 10 s bound\n";
    const char *ready = getenv("FG_SLOW_READY_FD"), *wait = getenv("FG_SLOW_WAIT_FD");
    struct pollfd p;
    char c;
    if (!ready || !wait)
        return;
    p.fd = atoi(wait);
    p.events = POLLIN;
    if (write(atoi(ready), "r", 1) != 1)
        return;
    if (poll(&p, 1, 10000) == 0) {
        if (write(1, late, sizeof late - 1) < 0)
            return;
        return;
    }
    if (read(p.fd, &c, 1) < 0)
        return;
}
