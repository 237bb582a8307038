/* libfgearly.so: a library linked into the host (DT_NEEDED, so its
 * constructor runs before libforkguard's) that registers a pthread_atfork
 * child handler. The handler calls fgearly_child_hook when the host set it:
 * a JNI call made from another library's child handler. */
#include <pthread.h>

__attribute__((visibility("default"))) void (*fgearly_child_hook)(void);

static void child(void)
{
    if (fgearly_child_hook)
        fgearly_child_hook();
}

__attribute__((constructor)) static void early_init(void)
{
    pthread_atfork(NULL, NULL, child);
}
