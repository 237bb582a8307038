/* libFuzzer target: the FORKGUARD_CLASSPATH list parser (jdbc/classpath_list.c).
 *
 * The input is the variable's value (cut at its first NUL). Relative entries
 * resolve in a fixture directory made at start-up (FG_FUZZ_FIXTURE; pass the
 * corpus directory as an absolute path): JARs, a directory of JARs
 * and other files, an empty directory, a FIFO named like a JAR, a symlink, and
 * names no JVM may be given: JARs and directories whose names hold a newline
 * (with the files the halves would name, "x" and a "evil.jar" in the current
 * directory), invalid UTF-8, a 4-byte character.
 *
 * Checked: the parser succeeds; every group it keeps is non-empty and the
 * groups hold n_jars paths in all, each absolute, UTF-8 without 4-byte
 * characters, and an existing regular file; there are no more groups than
 * ';'-separated parts; every message is one printable line
 * "forkguard: FORKGUARD_CLASSPATH entry ...; skipped"; nothing leaks (LSan). */
#include "jdbc/classpath_list.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void die(const char *why, const char *what)
{
    size_t n = what ? strlen(what) : 0;
    fprintf(stderr, "fuzz_cplist: %s (%zu bytes): %.120s ... %s\n", why, n, what ? what : "",
            what && n > 120 ? what + n - (n - 120 < 80 ? n - 120 : 80) : "");
    abort();
}

static void touch(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        die("fixture", path);
    fputs("PK\x05\x06", f);
    fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    /* FG_FUZZ_FIXTURE: a fresh directory chosen by run.sh (removed there). */
    char tmpl[] = "/tmp/fgfuzz-cplist.XXXXXX";
    const char *dir = getenv("FG_FUZZ_FIXTURE");
    (void)argc;
    (void)argv;
    if (dir)
        mkdir(dir, 0755);
    else
        dir = mkdtemp(tmpl);
    if (!dir || chdir(dir) != 0)
        die("fixture", dir);
    mkdir("lib", 0755);
    mkdir("empty", 0755);
    mkdir("nojar", 0755);
    mkdir("lib/sub.jar", 0755); /* a directory named like a JAR */
    touch("a.jar");
    touch("b.jar");
    touch("lib/x.jar");
    touch("lib/y.jar");
    touch("lib/notes.txt");
    touch("nojar/readme.txt");
    mkfifo("pipe.jar", 0644);
    mkfifo("lib/fifo.jar", 0644);
    if (symlink("a.jar", "link.jar") != 0)
        die("fixture", "link.jar");
    /* What a directory listing may hold (named entries were always checked). */
    touch("evil.jar");
    touch("lib/x");
    touch("lib/x\nevil.jar");
    touch("lib/bad\xff.jar");
    touch("lib/cut\xc3.jar");
    touch("lib/emoji\xf0\x9f\x98\x80.jar");
    touch("lib/caf\xc3\xa9.jar"); /* valid: kept */
    mkdir("nl\ndir", 0755);
    touch("nl\ndir/n.jar");
    mkdir("bad\xfe"
          "dir",
          0755);
    touch("bad\xfe"
          "dir/u.jar");
    return 0;
}

/* Independent of the parser's checks: what NewStringUTF reads as the same
 * characters (no NUL, shortest forms, no surrogates, nothing above U+FFFF). */
static int modified_utf8_safe(const unsigned char *s)
{
    while (*s) {
        if (*s < 0x80) {
            s++;
        } else if (*s >= 0xc2 && *s <= 0xdf && (s[1] & 0xc0) == 0x80) {
            s += 2;
        } else if ((*s & 0xf0) == 0xe0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
            unsigned cp = ((*s & 0x0fu) << 12) | ((s[1] & 0x3fu) << 6) | (s[2] & 0x3fu);
            if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
            s += 3;
        } else {
            return 0;
        }
    }
    return 1;
}

struct seen {
    int lines;
};

static void on_error(void *ctx, const char *line)
{
    static const char prefix[] = "forkguard: FORKGUARD_CLASSPATH entry ";
    static const char suffix[] = "; skipped";
    size_t i, n = strlen(line);
    ((struct seen *)ctx)->lines++;
    if (n >= 1024 || strncmp(line, prefix, sizeof prefix - 1) != 0 || n < sizeof suffix ||
        strcmp(line + n - (sizeof suffix - 1), suffix) != 0)
        die("message is not 'forkguard: FORKGUARD_CLASSPATH entry ...; skipped'", line);
    for (i = 0; i < n; i++)
        if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] > 0x7e)
            die("message is not one printable line", line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fg_cplist list;
    struct seen seen = {0};
    size_t i, parts = 1, jars = 0;
    char *spec = malloc(size + 1);
    memcpy(spec, data, size);
    spec[size] = '\0';
    for (i = 0; spec[i]; i++)
        parts += spec[i] == ';';
    if (fg_cplist_parse(spec, &list, on_error, &seen) != 0)
        die("parse failed (out of memory?)", spec);
    if (list.n_groups > parts)
        die("more groups than ';'-separated parts", spec);
    for (i = 0; i < list.n_groups; i++) {
        char *g = list.groups[i], *p, *save = NULL, *copy;
        if (!g || !g[0])
            die("empty group kept", spec);
        copy = strdup(g);
        for (p = strtok_r(copy, "\n", &save); p; p = strtok_r(NULL, "\n", &save)) {
            struct stat st;
            jars++;
            if (p[0] != '/')
                die("a listed JAR is a relative path", p);
            if (!modified_utf8_safe((const unsigned char *)p))
                die("a listed JAR is not UTF-8 that JNI carries unchanged", p);
            if (stat(p, &st) != 0 || !S_ISREG(st.st_mode))
                die("a listed JAR is not an existing regular file", p);
        }
        free(copy);
    }
    if (jars != list.n_jars)
        die("n_jars does not match the groups", spec);
    fg_cplist_free(&list);
    free(spec);
    return 0;
}
