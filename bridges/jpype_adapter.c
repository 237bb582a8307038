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
    fg_pyobject *(*dict_get)(fg_pyobject *, const char *); /* borrowed */
    int (*is_true)(fg_pyobject *);
    fg_pyobject *(*builtins)(void);
    fg_pyobject *(*run)(const char *, int, fg_pyobject *, fg_pyobject *, void *);
    fg_pyobject *(*cfunction_new)(struct fg_pymethoddef *, fg_pyobject *, fg_pyobject *);
    fg_pyobject *(*str)(const char *);
    fg_pyobject *(*build)(const char *, ...); /* Py_BuildValue("") is None */
    void (*decref)(fg_pyobject *);
} py;

/* Runs once, in the parent, with the GIL, after the owner is published. It
 * wraps what a forked child meets when it tries Java once JPype's context has
 * stood down, so that each says why and writes forkguard's report:
 * - jpype.JVMNotRunning's constructor: JPype raises it for every call into
 *   Java (a method, a class, a field) when its context is not running;
 * - jpype.startJVM: JPype reports "not started" in the child, and code that
 *   starts the JVM when needed (JayDeBeApi) would otherwise get OSError;
 * - the jpype.imports finder, which refuses Java packages with ImportError.
 * Each wrapper asks forkguard whether this process is a guarded child; in the
 * parent, and in any process that is not, it does exactly what the original
 * does. No fork hook is involved: servers that fork without running Python's
 * at-fork hooks (uWSGI by default) are covered too. _forkguard_ok tells the
 * C side that the JPype version is one whose stand-down is known (1.2 up to
 * 2.0, where onShutdown only clears the running flag) and that the wrappers
 * are in place; without it children are guarded as a C host's would be. */
static const char adapter_source[] =
    "def _forkguard_install(refused):\n"
    "    import sys\n"
    "    jpype = sys.modules.get('jpype')\n"
    "    core = sys.modules.get('jpype._core')\n"
    "    cls = getattr(sys.modules.get('_jpype'), 'JVMNotRunning', None)\n"
    "    if jpype is None or core is None or not isinstance(cls, type):\n"
    "        return False\n"
    "    try:\n"
    "        version = tuple(int(x) for x in jpype.__version__.split('.')[:2])\n"
    "    except (AttributeError, ValueError):\n"
    "        return False\n"
    "    if not (1, 2) <= version < (2, 0):\n"
    "        return False\n"
    "    if getattr(cls.__init__, '_forkguard', 0):\n"
    "        return True\n"
    "    init = cls.__init__\n"
    "    def __init__(self, *args, **kwargs):\n"
    "        message = refused()\n"
    "        if message is None:\n"
    "            init(self, *args, **kwargs)\n"
    "        else:\n"
    "            init(self, message)\n"
    "    __init__._forkguard = 1\n"
    "    cls.__init__ = __init__\n"
    "    start = core.startJVM\n"
    "    def startJVM(*args, **kwargs):\n"
    "        if refused() is not None:\n"
    "            raise cls()\n"
    "        return start(*args, **kwargs)\n"
    "    startJVM.__doc__, startJVM.__wrapped__ = start.__doc__, start\n"
    "    if getattr(jpype, 'startJVM', None) is start:\n"
    "        jpype.startJVM = startJVM\n"
    "    core.startJVM = startJVM\n"
    "    loader = getattr(sys.modules.get('jpype.imports'), '_JImportLoader', None)\n"
    "    find = getattr(loader, 'find_spec', None)\n"
    "    if find is not None:\n"
    "        def find_spec(self, name, path, target=None):\n"
    "            try:\n"
    "                return find(self, name, path, target)\n"
    "            except ImportError:\n"
    "                message = refused()\n"
    "                if message is None:\n"
    "                    raise\n"
    "                raise ImportError(message, name=name) from None\n"
    "        loader.find_spec = find_spec\n"
    "    return True\n"
    "_forkguard_ok = _forkguard_install(_forkguard_refused)\n";

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
    fg_buf_init(&b, msg, sizeof msg);
    fg_buf_str(&b, FG_JPYPE_MSG_1);
    fg_buf_i64(&b, getpid());
    fg_buf_str(&b, FG_JPYPE_MSG_2);
    fg_buf_i64(&b, fg.owner_pid);
    fg_buf_str(&b, FG_JPYPE_MSG_3);
    fg_buf_str(&b, fg_host_fix(fg.host));
    return py.str(fg_buf_cstr(&b));
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
    *(void **)&py.dict_get = find("PyDict_GetItemString");
    *(void **)&py.is_true = find("PyObject_IsTrue");
    *(void **)&py.builtins = find("PyEval_GetBuiltins");
    *(void **)&py.run = find("PyRun_StringFlags");
    *(void **)&py.cfunction_new = find("PyCFunction_NewEx");
    *(void **)&py.str = find("PyUnicode_FromString");
    *(void **)&py.decref = find("Py_DecRef");
    *(void **)&py.build = find("Py_BuildValue");
    return py.gil_ensure && py.gil_release && py.err_occurred && py.err_clear && py.dict_new &&
           py.dict_set && py.dict_get && py.is_true && py.builtins && py.run &&
           py.cfunction_new && py.str && py.decref && py.build;
}

int fg_jpype_adapter_install(void)
{
    fg_pyobject *globals = NULL, *fn = NULL, *result, *ok;
    int gil, installed = 0;
    if (!resolve())
        return 0;
    gil = py.gil_ensure();
    /* Never run Python over an exception the host is about to handle. */
    if (!py.err_occurred()) {
        globals = py.dict_new();
        fn = py.cfunction_new(&refused_def, NULL, NULL);
        if (globals && fn && py.dict_set(globals, "__builtins__", py.builtins()) == 0 &&
            py.dict_set(globals, "_forkguard_refused", fn) == 0) {
            result = py.run(adapter_source, FG_PY_FILE_INPUT, globals, globals, NULL);
            if (result) {
                py.decref(result);
                ok = py.dict_get(globals, "_forkguard_ok");
                installed = ok && py.is_true(ok) == 1;
            }
        }
        if (fn)
            py.decref(fn);
        if (globals)
            py.decref(globals);
        /* Ours (the wrappers could not be set): the host's JVM start goes on. */
        if (py.err_occurred())
            py.err_clear();
    }
    py.gil_release(gil);
    return installed;
}
