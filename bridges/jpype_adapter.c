#include "jpype_adapter.h"

#include "../preload/buf.h"
#include "../preload/elf_lookup.h"
#include "../preload/host.h"
#include "../preload/messages.h"
#include "../preload/report_emit.h"
#include "../preload/state.h"

#include <unistd.h>

/* CPython's stable API, declared here rather than included: forkguard is not
 * built against any Python. Objects stay opaque. */
typedef struct fg_pyobject fg_pyobject;
typedef fg_pyobject *(*fg_pycfunction)(fg_pyobject *self, fg_pyobject *unused);
struct fg_pymethoddef {
    const char *name;
    fg_pycfunction meth;
    int flags;
    const char *doc;
};
#define FG_PY_METH_NOARGS 0x0004
#define FG_PY_FILE_INPUT 257

static struct {
    int (*gil_ensure)(void);
    void (*gil_release)(int);
    fg_pyobject *(*err_occurred)(void);
    void (*err_clear)(void);
    fg_pyobject *(*dict_new)(void);
    int (*dict_set)(fg_pyobject *, const char *, fg_pyobject *);
    fg_pyobject *(*builtins)(void);
    fg_pyobject *(*run)(const char *, int, fg_pyobject *, fg_pyobject *, void *);
    fg_pyobject *(*cfunction_new)(struct fg_pymethoddef *, fg_pyobject *, fg_pyobject *);
    fg_pyobject *(*str)(const char *);
    fg_pyobject *(*build)(const char *, ...); /* Py_BuildValue("") is None */
    void (*decref)(fg_pyobject *);
} py;

/* Runs once, in the parent, with the GIL: wraps the constructor of the
 * exception class JPype raises for every Java use once its context stands
 * down. The wrapper asks forkguard whether this process is a guarded child:
 * in the parent (and in any process that is not) it calls the original with
 * the original arguments, so behaviour there is unchanged; in a child it
 * gives the exception forkguard's message. No fork hook is involved: servers
 * that fork without running Python's at-fork hooks (uWSGI by default) are
 * covered too. */
static const char adapter_source[] =
    "def _forkguard_install(refused):\n"
    "    import sys\n"
    "    cls = getattr(sys.modules.get('_jpype'), 'JVMNotRunning', None)\n"
    "    if not isinstance(cls, type) or getattr(cls.__init__, '_forkguard', 0):\n"
    "        return\n"
    "    base = cls.__init__\n"
    "    def __init__(self, *args, **kwargs):\n"
    "        message = refused()\n"
    "        if message is None:\n"
    "            base(self, *args, **kwargs)\n"
    "        else:\n"
    "            base(self, message)\n"
    "    __init__._forkguard = 1\n"
    "    cls.__init__ = __init__\n"
    "_forkguard_install(_forkguard_refused)\n";

/* None outside a guarded child. In one, at the first real use of Java
 * through JPype: the report (once per process, like every refusal), and
 * always the exception's message. */
static fg_pyobject *refused(fg_pyobject *self, fg_pyobject *unused)
{
    char msg[1024];
    struct fg_buf b;
    (void)self;
    (void)unused;
    if (!fg.poisoned || fg.cfg.mode != FG_MODE_BLOCK || !fg.owner_pid ||
        fg.owner_pid == getpid())
        return py.build("");
    if (!fg.reported && !fg.teardown) {
        fg.reported = 1;
        fg_report_jni_sigsafe(FG_JPYPE_FUNCTION, FG_VERDICT_REFUSE, FG_JPYPE_RESULT);
    }
    fg_buf_init(&b, msg, sizeof msg - 1);
    fg_buf_str_sigsafe(&b, FG_JPYPE_MSG_1);
    fg_buf_i64_sigsafe(&b, getpid());
    fg_buf_str_sigsafe(&b, FG_JPYPE_MSG_2);
    fg_buf_i64_sigsafe(&b, fg.owner_pid);
    fg_buf_str_sigsafe(&b, FG_JPYPE_MSG_3);
    fg_buf_str_sigsafe(&b, fg_host_fix(fg.host));
    msg[b.len] = '\0';
    return py.str(msg);
}

static struct fg_pymethoddef refused_def = {"_forkguard_refused", refused, FG_PY_METH_NOARGS,
                                            NULL};

static void *find(const char *name)
{
    return fg_elf_find(NULL, name, NULL, NULL);
}

static int resolve(void)
{
    *(void **)&py.gil_ensure = find("PyGILState_Ensure");
    *(void **)&py.gil_release = find("PyGILState_Release");
    *(void **)&py.err_occurred = find("PyErr_Occurred");
    *(void **)&py.err_clear = find("PyErr_Clear");
    *(void **)&py.dict_new = find("PyDict_New");
    *(void **)&py.dict_set = find("PyDict_SetItemString");
    *(void **)&py.builtins = find("PyEval_GetBuiltins");
    *(void **)&py.run = find("PyRun_StringFlags");
    *(void **)&py.cfunction_new = find("PyCFunction_NewEx");
    *(void **)&py.str = find("PyUnicode_FromString");
    *(void **)&py.decref = find("Py_DecRef");
    *(void **)&py.build = find("Py_BuildValue");
    return py.gil_ensure && py.gil_release && py.err_occurred && py.err_clear && py.dict_new &&
           py.dict_set && py.builtins && py.run && py.cfunction_new && py.str && py.decref && py.build;
}

void fg_jpype_adapter_install(void)
{
    fg_pyobject *globals = NULL, *fn = NULL, *result;
    int gil;
    if (!resolve())
        return;
    gil = py.gil_ensure();
    /* Never run Python over an exception the host is about to handle. */
    if (!py.err_occurred()) {
        globals = py.dict_new();
        fn = py.cfunction_new(&refused_def, NULL, NULL);
        if (globals && fn && py.dict_set(globals, "__builtins__", py.builtins()) == 0 &&
            py.dict_set(globals, "_forkguard_refused", fn) == 0) {
            result = py.run(adapter_source, FG_PY_FILE_INPUT, globals, globals, NULL);
            if (result)
                py.decref(result);
        }
        if (fn)
            py.decref(fn);
        if (globals)
            py.decref(globals);
        if (py.err_occurred())
            py.err_clear();
    }
    py.gil_release(gil);
}
