/* The library's report texts and the values both the library and the
 * command accept, in one place so that wording stays consistent (the command
 * includes it). Each file's one-line problem messages (log, classpath) stay
 * beside the check that emits them, and the command's usage texts are in
 * cli/messages.h. */
#ifndef FG_MESSAGES_H
#define FG_MESSAGES_H

#define FG_VERSION "0.3.0"

#define FG_MSG_PREFIX "forkguard: "

#define FG_MSG_WHY "the JVM's threads do not survive fork(); JNI in the child can hang or crash"

#define FG_MSG_WHY_FORK                                                                        \
    "the JVM's threads do not survive fork(); if the child uses JNI it can hang or "           \
    "crash (this warning is FORKGUARD_ON_FORK=warn; once per fork call site)"

#define FG_FIX_C                                                                               \
    "create the JVM after fork() in the process that uses it, or exec a new program "          \
    "in the child (posix_spawn, fork+exec)"
#define FG_FIX_PYTHON                                                                          \
    "multiprocessing: set_start_method('spawn') or 'forkserver' before creating the "          \
    "Pool; os.fork(): exec a new interpreter in the child, or start the JVM only in "          \
    "the child"
#define FG_FIX_GUNICORN                                                                        \
    "drop --preload (the JVM is then started per worker), or start the JVM in a "              \
    "post_fork hook instead of at import time"
#define FG_FIX_UWSGI                                                                           \
    "load the app in each worker (lazy-apps = true) so that each worker starts its "           \
    "own JVM, or start the JVM in a @postfork function (uwsgidecorators) instead of "          \
    "at import time"
#define FG_FIX_R                                                                               \
    "use a PSOCK cluster (parallel::makePSOCKcluster + parLapply) or "                         \
    "future::plan(multisession) instead of mclapply/mcparallel/plan(multicore), and "          \
    "call .jinit() inside each worker"
#define FG_FIX_RUBY                                                                            \
    "load the JVM (Rjb::load) after fork, e.g. in on_worker_boot/after_fork, not "             \
    "before"
#define FG_FIX_JAVA                                                                            \
    "start subprocesses with ProcessBuilder (posix_spawn), never with a raw fork() "           \
    "from native code"

/* JPype refuses Java use itself once its context stands down in a child
 * (bridges/): the report names the bridge, the exception says why. */
#define FG_JPYPE_FUNCTION "through JPype"
#define FG_JPYPE_RESULT "a jpype.JVMNotRunning exception"
#define FG_JPYPE_MSG_1 "Java is not usable in this process (pid "
#define FG_JPYPE_MSG_2 "): it is a fork()ed child of pid "
#define FG_JPYPE_MSG_3                                                                         \
    ", which owns the JVM, and the JVM's threads do not survive fork() (forkguard). "          \
    "Fix: "

#define FG_MSG_JNI_NEWER_1 "this JVM's JNI version "
#define FG_MSG_JNI_NEWER_2 " is newer than forkguard knows (0x180000, JNI 24): only its first "
#define FG_MSG_JNI_NEWER_3                                                                     \
    " JNIEnv slots are guarded in forked children; functions added after JNI 24 are "          \
    "not"

/* Accepted values, in the order of their enums (preload/config.h): the
 * library's parser and the command's option checks both use these lists. */
#define FG_MODE_NAMES "block", "warn", "off"
#define FG_FORMAT_NAMES "text", "json"
#define FG_ON_FORK_NAMES "silent", "warn"
#define FG_CP_MODE_NAMES "isolated", "system"

#define FG_EXPECT_MODE "block, warn or off"
#define FG_EXPECT_FORMAT "text or json"
#define FG_EXPECT_ON_FORK "silent or warn"
#define FG_EXPECT_EXIT_CODE "an integer from 1 to 255"
#define FG_EXPECT_CP_MODE "isolated or system"

#endif
