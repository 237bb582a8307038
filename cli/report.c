/* forkguard report [--allow-unreadable] LOG: reads a forkguard log (JSON or
 * text) and prints, per JVM owner, the forks reported, the children that used
 * JNI (which functions, what happened, where the first call was) and the
 * configuration problems, so that a CI job can attach one readable summary
 * and gate on the exit status. The gate fails closed: a line it cannot read
 * might have been a report. */
#include "report.h"

#include "messages.h"
#include "report_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* "3 unreadable or truncated lines (lines 4, 17, 52)" */
static void print_bad_lines(FILE *f, const struct fg_report_summary *s)
{
    size_t i, shown = s->bad < FG_REPORT_BAD_LINES_MAX ? s->bad : FG_REPORT_BAD_LINES_MAX;
    long lines[FG_REPORT_BAD_LINES_MAX];
    memcpy(lines, s->bad_lines, shown * sizeof lines[0]);
    qsort(lines, shown, sizeof lines[0], cmp_long);
    fprintf(f, "%zu unreadable or truncated line%s (line%s ", s->bad, s->bad == 1 ? "" : "s",
            s->bad == 1 ? "" : "s");
    for (i = 0; i < shown; i++)
        fprintf(f, "%s%ld", i ? ", " : "", lines[i]);
    if (s->bad > shown)
        fprintf(f, " and %zu more", s->bad - shown);
    fputc(')', f);
}

static void print_summary(const char *path, const struct fg_report_summary *s)
{
    size_t i, j;
    printf("forkguard report: %s: %zu records (%zu JNI uses in forked children)", path,
           s->records, s->jni);
    if (s->bad) {
        printf(", ");
        print_bad_lines(stdout, s);
    }
    printf("\n");
    for (i = 0; i < s->n_owners; i++) {
        const struct fg_report_owner *o = &s->owners[i];
        printf("\nJVM owner pid %lld (%s, host %s)\n", o->pid,
               o->libjvm ? o->libjvm : "libjvm ?", o->host ? o->host : "?");
        if (o->forks)
            printf("  forks warned about: %zu, first at %s\n", o->forks,
                   o->first_fork_site ? o->first_fork_site : "(no frames)");
        printf("  children that used JNI: %zu\n", o->n_children);
        for (j = 0; j < o->n_children; j++) {
            const struct fg_report_child *c = &o->children[j];
            printf("    pid %lld (forked by %lld): %s\n", c->pid, c->parent, c->functions);
            printf("      first call at %s\n", c->first_call ? c->first_call : "(no frames)");
            if (c->fork_site)
                printf("      forked at     %s\n", c->fork_site);
        }
        if (o->n_children && o->fix)
            printf("  fix: %s\n", o->fix);
    }
    if (s->n_messages) {
        printf("\nconfiguration and classpath messages:\n");
        for (i = 0; i < s->n_messages; i++)
            printf("  %s\n", s->messages[i]);
    }
}

int fg_report_main(int argc, char **argv)
{
    struct fg_report_summary s;
    const char *path = NULL;
    int allow_unreadable = 0, i, rc;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    FILE *f;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--allow-unreadable") == 0) {
            allow_unreadable = 1;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            return fputs(FG_CLI_USAGE, stdout) == EOF || fflush(stdout) == EOF ? 1 : 0;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, FG_CLI_ERR_UNKNOWN_OPT, argv[i]);
            return 2;
        } else if (path) {
            fprintf(stderr, FG_CLI_ERR_EXTRA_ARG, argv[i], path);
            return 2;
        } else {
            path = argv[i];
        }
    }
    if (!path) {
        fputs(FG_CLI_ERR_REPORT_USAGE, stderr);
        return 2;
    }
    f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f) {
        fprintf(stderr, FG_CLI_ERR_REPORT_OPEN, path, strerror(errno));
        return 2;
    }
    fg_report_init(&s);
    while ((n = getline(&line, &cap, f)) >= 0) {
        int newline = n > 0 && line[n - 1] == '\n';
        if (newline)
            line[--n] = '\0';
        fg_report_line(&s, line, (size_t)n, ++lineno, newline);
    }
    if (ferror(f)) {
        fprintf(stderr, FG_CLI_ERR_REPORT_OPEN, path, strerror(errno));
        free(line);
        fg_report_free(&s);
        if (f != stdin)
            fclose(f);
        return 2;
    }
    fg_report_end(&s);
    free(line);
    if (f != stdin)
        fclose(f);
    print_summary(path, &s);
    rc = s.jni ? 1 : 0;
    if (s.bad && !allow_unreadable) {
        /* Said on stderr too, where a CI log shows it next to the status. */
        fprintf(stderr, FG_MSG_PREFIX "%s: ", path);
        print_bad_lines(stderr, &s);
        fputs(rc ? "\n" : FG_CLI_ERR_REPORT_BAD, stderr);
        if (!rc)
            rc = 3;
    }
    fflush(stdout);
    fg_report_free(&s);
    return rc;
}
