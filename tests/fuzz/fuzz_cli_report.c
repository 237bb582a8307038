/* libFuzzer target: the log reader of `forkguard report` (cli/report_read.c, report_text.c
 * with json-c), text and JSON records mixed, on arbitrary bytes.
 *
 * Input: a log; split at '\n' as the command does (the last piece without
 * one). Checked: no memory error or leak; a JNI use is a record; a line with
 * a NUL byte, and a last line without '\n', count as bad; what is listed as
 * bad is a real line number. */
#include "cli/report_read.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fg_report_summary s;
    size_t off = 0, i, must_bad = 0;
    long lineno = 0;
    fg_report_init(&s);
    while (off < size) {
        const uint8_t *nl = memchr(data + off, '\n', size - off);
        size_t len = nl ? (size_t)(nl - (data + off)) : size - off;
        char *line = malloc(len + 1);
        if (!line)
            abort();
        memcpy(line, data + off, len);
        line[len] = '\0';
        if (memchr(line, '\0', len) || !nl)
            must_bad++;
        fg_report_line(&s, line, len, ++lineno, nl != NULL);
        free(line);
        off += len + (nl != NULL);
    }
    fg_report_end(&s);
    if (s.jni > s.records)
        abort();
    if (s.bad < must_bad) {
        fprintf(stderr, "fuzz_cli_report: %zu bad lines counted, at least %zu expected\n",
                s.bad, must_bad);
        abort();
    }
    for (i = 0; i < s.bad && i < FG_REPORT_BAD_LINES_MAX; i++)
        if (s.bad_lines[i] < 1 || s.bad_lines[i] > lineno)
            abort();
    fg_report_free(&s);
    return 0;
}
