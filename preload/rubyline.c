#include "rubyline.h"

#include "buf.h"
#include "elf_lookup.h"

static struct {
    const char *(*file)(void);
    int (*line)(void);
    int (*is_ruby_thread)(void);
} rb;

void fg_rubyline_resolve(void)
{
    *(void **)&rb.file = fg_elf_find(NULL, "rb_sourcefile", NULL, NULL);
    *(void **)&rb.line = fg_elf_find(NULL, "rb_sourceline", NULL, NULL);
    *(void **)&rb.is_ruby_thread = fg_elf_find(NULL, "ruby_native_thread_p", NULL, NULL);
}

void fg_rubyline_capture_guarded(char *out, size_t size)
{
    struct fg_buf b;
    const char *file;
    int line;
    if (size)
        out[0] = '\0';
    /* A thread Ruby never ran on has no execution context to read. */
    if (!size || !rb.file || !rb.line || !rb.is_ruby_thread || !rb.is_ruby_thread())
        return;
    file = rb.file();
    if (!file)
        return; /* no Ruby-level frame on this thread */
    line = rb.line();
    fg_buf_init(&b, out, size);
    fg_buf_str(&b, file);
    fg_buf_char(&b, ':');
    fg_buf_i64(&b, line);
    fg_buf_cstr(&b);
}
