#include "jpype_adapter.h"

#include "../preload/buf.h"
#include "../preload/elf_lookup.h"
#include "../preload/host.h"
#include "../preload/messages.h"
#include "../preload/pystack.h"
#include "../preload/report_emit.h"
#include "../preload/state.h"

#include <string.h>
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
#define FG_PY_METH_O 0x0008
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
    fg_pyobject *(*compile)(const char *, const char *, int);
    fg_pyobject *(*eval)(fg_pyobject *, fg_pyobject *, fg_pyobject *);
    fg_pyobject *(*cfunction_new)(struct fg_pymethoddef *, fg_pyobject *, fg_pyobject *);
    fg_pyobject *(*str)(const char *);
    fg_pyobject *(*build)(const char *, ...); /* Py_BuildValue("") is None */
    void (*decref)(fg_pyobject *);
    fg_pyobject *(*from_long)(long); /* PyBool_FromLong */
    long (*tuple_size)(fg_pyobject *);
    fg_pyobject *(*tuple_item)(fg_pyobject *, long); /* borrowed */
    const char *(*utf8)(fg_pyobject *);
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
 * are in place; without it children are guarded as a C host's would be.
 * _forkguard_popped: JPype raises from C with a message, and CPython 3.11
 * makes the exception object only when a handler takes it, in the handler's
 * frame: by then the frames between (a pool task's own function) are off
 * the thread's stack. They are still in the traceback being built, which
 * only the interpreter holds (no Python object refers to it yet): found
 * through the handler frame's referrers, when the report is to be written
 * (once per child), and handed to the report as its innermost lines. An
 * exception nobody catches is made after every frame is gone (no caller):
 * then the traceback nothing refers to among all tracebacks is the one. */
static const char adapter_source[] =
    "def _forkguard_popped(caller):\n"
    "    import gc, types\n"
    "    tb_type = types.TracebackType\n"
    "    if caller is None:\n"
    "        tbs = [o for o in gc.get_objects() if type(o) is tb_type]\n"
    "    else:\n"
    "        tbs = [o for o in gc.get_referrers(caller) if type(o) is tb_type\n"
    "               and o.tb_frame is caller and o.tb_lasti == caller.f_lasti\n"
    "               and o.tb_next is not None]\n"
    "    if not tbs:\n"
    "        return None\n"
    "    held = set()\n"
    "    for o in gc.get_referrers(*tbs):\n"
    "        if o is not tbs:\n"
    "            held.update(id(r) for r in gc.get_referents(o) if type(r) is tb_type)\n"
    "    free = [tb for tb in tbs if id(tb) not in held]\n"
    "    if not free:\n"
    "        return None\n"
    "    tb = free[-1] if caller is None else free[-1].tb_next\n"
    "    lines = []\n"
    "    while tb is not None:\n"
    "        code = tb.tb_frame.f_code\n"
    "        lines.append('File \"%s\", line %s, in %s'\n"
    "                     % (code.co_filename, tb.tb_lineno, code.co_name))\n"
    "        tb = tb.tb_next\n"
    "    return tuple(lines)\n"
    "def _forkguard_install(refused, reporting):\n"
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
    "        popped = None\n"
    "        if reporting():\n"
    "            try:\n"
    "                try:\n"
    "                    caller = sys._getframe(1)\n"
    "                except ValueError:\n"
    "                    caller = None\n"
    "                popped = _forkguard_popped(caller)\n"
    "            except Exception:\n"
    "                pass\n"
    "        message = refused(popped or ())\n"
    "        if message is None:\n"
    "            init(self, *args, **kwargs)\n"
    "        else:\n"
    "            init(self, message)\n"
    "    __init__._forkguard = 1\n"
    "    cls.__init__ = __init__\n"
    "    start = core.startJVM\n"
    "    def startJVM(*args, **kwargs):\n"
    "        if refused(()) is not None:\n"
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
    "                message = refused(())\n"
    "                if message is None:\n"
    "                    raise\n"
    "                raise ImportError(message, name=name) from None\n"
    "        loader.find_spec = find_spec\n"
    "    return True\n"
    "_forkguard_ok = _forkguard_install(_forkguard_refused, _forkguard_reporting)\n";

/* In a guarded child that has not reported yet: the next refusal writes the
 * report. */
static int will_report(void)
{
    return fg.poisoned && fg.cfg.mode == FG_MODE_BLOCK && fg.owner_pid &&
           fg.owner_pid != getpid() && !fg.reported && !fg.teardown;
}

static fg_pyobject *reporting(fg_pyobject *self, fg_pyobject *unused)
{
    (void)self;
    (void)unused;
    return py.from_long(will_report());
}

/* The frames _forkguard_popped found (a tuple of `File ..., line N, in f`
 * lines, innermost last), kept for the report being written: the innermost
 * that fit. Returns 1 when some were left out. */
static int python_inner(fg_pyobject *popped, char *mem, size_t size, const char **lines, int *n)
{
    long i, count;
    size_t end = size, len;
    const char *line;
    int k, cut = 0;
    *n = 0;
    if (!popped)
        return 0;
    count = py.tuple_size(popped);
    if (count < 0) {
        py.err_clear(); /* not a tuple (the wrappers always pass one) */
        return 0;
    }
    /* From the innermost outwards, at the end of mem... */
    for (i = count - 1; i >= 0; i--) {
        line = py.utf8(py.tuple_item(popped, i));
        if (!line) {
            py.err_clear();
            continue;
        }
        len = strlen(line) + 1;
        if (*n == FG_PYSTACK_LINES || len > end) {
            cut = 1;
            break;
        }
        end -= len;
        memcpy(mem + end, line, len);
        lines[(*n)++] = mem + end;
    }
    /* ...then innermost last. */
    for (k = 0; k < *n / 2; k++) {
        line = lines[k];
        lines[k] = lines[*n - 1 - k];
        lines[*n - 1 - k] = line;
    }
    return cut;
}

/* None outside a guarded child. In one, at the first real use of Java
 * through JPype: the report (once per process, like every refusal), and
 * always the exception's message. `popped`: a tuple of the Python frames the
 * exception left before JPype's exception object was made (see
 * adapter_source), empty when there are none. */
static fg_pyobject *refused(fg_pyobject *self, fg_pyobject *popped)
{
    static char inner_text[FG_PYSTACK_BYTES];
    static const char *inner[FG_PYSTACK_LINES];
    char msg[1024];
    struct fg_buf b;
    int n, cut;
    (void)self;
    if (!fg.poisoned || fg.cfg.mode != FG_MODE_BLOCK || !fg.owner_pid ||
        fg.owner_pid == getpid())
        return py.build("");
    if (will_report()) {
        fg.reported = 1;
        cut = python_inner(popped, inner_text, sizeof inner_text, inner, &n);
        fg_report_python_inner(inner, n, cut);
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

static struct fg_pymethoddef refused_def = {"_forkguard_refused", refused, FG_PY_METH_O, NULL};
static struct fg_pymethoddef reporting_def = {"_forkguard_reporting", reporting,
                                              FG_PY_METH_NOARGS, NULL};

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
    *(void **)&py.compile = find("Py_CompileString");
    *(void **)&py.eval = find("PyEval_EvalCode");
    *(void **)&py.cfunction_new = find("PyCFunction_NewEx");
    *(void **)&py.str = find("PyUnicode_FromString");
    *(void **)&py.decref = find("Py_DecRef");
    *(void **)&py.build = find("Py_BuildValue");
    *(void **)&py.from_long = find("PyBool_FromLong");
    *(void **)&py.tuple_size = find("PyTuple_Size");
    *(void **)&py.tuple_item = find("PyTuple_GetItem");
    *(void **)&py.utf8 = find("PyUnicode_AsUTF8");
    return py.gil_ensure && py.gil_release && py.err_occurred && py.err_clear && py.dict_new &&
           py.dict_set && py.dict_get && py.is_true && py.builtins && py.compile && py.eval &&
           py.cfunction_new && py.str && py.decref && py.build && py.from_long &&
           py.tuple_size && py.tuple_item && py.utf8;
}

int fg_jpype_adapter_install(void)
{
    fg_pyobject *globals = NULL, *fn = NULL, *rep = NULL, *code = NULL, *result, *ok;
    int gil, installed = 0;
    if (!resolve())
        return 0;
    gil = py.gil_ensure();
    /* Never run Python over an exception the host is about to handle. */
    if (!py.err_occurred()) {
        globals = py.dict_new();
        fn = py.cfunction_new(&refused_def, NULL, NULL);
        rep = py.cfunction_new(&reporting_def, NULL, NULL);
        /* Its own file name: a report's Python block leaves these frames
         * out (preload/pystack.c). */
        code = py.compile(adapter_source, FG_PYSTACK_OWN_FILE, FG_PY_FILE_INPUT);
        if (globals && fn && rep && code &&
            py.dict_set(globals, "__builtins__", py.builtins()) == 0 &&
            py.dict_set(globals, "_forkguard_refused", fn) == 0 &&
            py.dict_set(globals, "_forkguard_reporting", rep) == 0) {
            result = py.eval(code, globals, globals);
            if (result) {
                py.decref(result);
                ok = py.dict_get(globals, "_forkguard_ok");
                installed = ok && py.is_true(ok) == 1;
            }
        }
        if (fn)
            py.decref(fn);
        if (rep)
            py.decref(rep);
        if (code)
            py.decref(code);
        if (globals)
            py.decref(globals);
        /* Ours (the wrappers could not be set): the host's JVM start goes on. */
        if (py.err_occurred())
            py.err_clear();
    }
    py.gil_release(gil);
    return installed;
}
