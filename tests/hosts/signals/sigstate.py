"""Where a signal's handler really is, read from the kernel's view (Python's
signal.getsignal only knows handlers Python installed itself)."""
import ctypes

_libc = ctypes.CDLL(None, use_errno=True)


class _DlInfo(ctypes.Structure):
    _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p),
                ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p)]


def disposition(sig):
    """'default', 'ignore', or 'handler in <object file basename>'."""
    # glibc x86-64 struct sigaction: the handler is the first word of 152 bytes.
    buf = ctypes.create_string_buffer(152)
    if _libc.sigaction(sig, None, buf) != 0:
        raise OSError(ctypes.get_errno(), "sigaction")
    handler = ctypes.c_void_p.from_buffer(buf).value or 0
    if handler == 0:
        return "default"
    if handler == 1:
        return "ignore"
    info = _DlInfo()
    if _libc.dladdr(ctypes.c_void_p(handler), ctypes.byref(info)) and info.dli_fname:
        return "handler in " + info.dli_fname.decode().rsplit("/", 1)[-1]
    return "handler in ?"
