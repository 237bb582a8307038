#include "signals.h"
#include "../preload/child_text.h"

#include "jvm.h"
#include "../preload/state.h"

#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>

/* Standard signals only: HotSpot uses no real-time signal, and each
 * rt_sigaction costs ~0.1 us of the child's start. */
#define FG_STD_SIGNALS 32

static struct sigaction before_jvm[FG_STD_SIGNALS];
static int have_snapshot;
/* A bit per signal whose handler lived in libjvm right after the JVM was
 * created: the only ones a child needs to look at (about 8 of 31). */
static uint32_t jvm_handlers;
/* Of those, the ones still libjvm's at the last fork, found in the parent
 * (fg_signals_prepare_parent_sigsafe): the child then sets them without
 * asking first, one system call each. */
static uint32_t reset_next;
static int prepared;
static const struct sigaction default_action = {.sa_handler = SIG_DFL};

#if defined(__x86_64__)
/* The kernel's struct sigaction on x86-64. The child sets the dispositions
 * with the system call itself: libc's sigaction is one more code page the
 * child would map in (~2 us), for a copy the parent can make once. The
 * values are the kernel's own, as sigaction() returned them before the JVM
 * was created (SA_RESTORER and glibc's restorer included). */
struct fg_ksigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    uint64_t mask;
};
static struct fg_ksigaction reset_to[FG_STD_SIGNALS];

static void build_reset_to(void)
{
    int sig;
    for (sig = 1; sig < FG_STD_SIGNALS; sig++) {
        const struct sigaction *a = have_snapshot ? &before_jvm[sig] : &default_action;
        reset_to[sig].handler = (void *)a->sa_handler;
        reset_to[sig].flags = (unsigned long)(unsigned)a->sa_flags;
        reset_to[sig].restorer = (void *)a->sa_restorer;
        memcpy(&reset_to[sig].mask, &a->sa_mask, sizeof reset_to[sig].mask);
    }
}

FG_CHILD_TEXT static void set_sigsafe(int sig)
{
    register long sigsetsize __asm__("r10") = sizeof(uint64_t);
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "0"((long)SYS_rt_sigaction), "D"((long)sig), "S"(&reset_to[sig]),
                       "d"(0L), "r"(sigsetsize)
                     : "rcx", "r11", "memory");
    (void)ret; /* nothing to do about a refusal in a child */
}
#else
static void build_reset_to(void)
{
}

FG_CHILD_TEXT static void set_sigsafe(int sig)
{
    sigaction(sig, have_snapshot ? &before_jvm[sig] : &default_action, NULL);
}
#endif

static int skipped(int sig)
{
    return sig == SIGKILL || sig == SIGSTOP || sig == SIGSEGV || sig == SIGBUS ||
           sig == SIGFPE || sig == SIGILL || sig == SIGTRAP;
}

void fg_signals_snapshot(void)
{
    int sig;
    for (sig = 1; sig < FG_STD_SIGNALS; sig++)
        if (sigaction(sig, NULL, &before_jvm[sig]) != 0)
            before_jvm[sig].sa_handler = SIG_DFL;
    have_snapshot = 1;
}

/* Whether the signal's current handler is the JVM's (not the default, not
 * ignored, not one the host installed since). */
static int jvm_handles_sigsafe(int sig)
{
    struct sigaction now;
    const void *handler;
    if (sigaction(sig, NULL, &now) != 0)
        return 0;
    handler = (now.sa_flags & SA_SIGINFO) ? (const void *)now.sa_sigaction
                                          : (const void *)now.sa_handler;
    return handler != (const void *)SIG_DFL && handler != (const void *)SIG_IGN &&
           fg_jvm_owns_code_sigsafe(handler);
}

void fg_signals_after_creation(void)
{
    int sig;
    jvm_handlers = 0;
    for (sig = 1; sig < FG_STD_SIGNALS; sig++)
        if (!skipped(sig) && jvm_handles_sigsafe(sig))
            jvm_handlers |= 1u << sig;
    build_reset_to();
}

void fg_signals_prepare_parent_sigsafe(void)
{
    uint32_t bits = 0;
    int sig;
    for (sig = 1; sig < FG_STD_SIGNALS; sig++)
        if ((jvm_handlers & (1u << sig)) && jvm_handles_sigsafe(sig))
            bits |= 1u << sig;
    /* Threads forking at once find the same bits. */
    __atomic_store_n(&reset_next, bits, __ATOMIC_RELAXED);
    __atomic_store_n(&prepared, 1, __ATOMIC_RELEASE);
}

FG_CHILD_TEXT void fg_signals_reset_child_sigsafe(void)
{
    /* A child whose parent half did not run (a caller of the poisoning
     * itself, as the unit tests are) asks for each signal first. */
    int ask = !__atomic_load_n(&prepared, __ATOMIC_ACQUIRE), sig;
    uint32_t bits = ask ? jvm_handlers : reset_next;
    for (sig = 1; sig < FG_STD_SIGNALS; sig++) {
        if (!(bits & (1u << sig)))
            continue;
        if (ask) {
            if (jvm_handles_sigsafe(sig))
                sigaction(sig, have_snapshot ? &before_jvm[sig] : &default_action, NULL);
        } else {
            set_sigsafe(sig);
        }
    }
}
