/* forkguard report LOG: reads a FORKGUARD_FORMAT=json log and prints, per JVM
 * owner, the forks reported, the children that used JNI (which functions,
 * what happened, where the first call was) and the configuration problems, so
 * that a CI job can attach one readable summary. */
#include "report.h"

#include "json.h"
#include "messages.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct child {
    long long pid, parent;
    char functions[512]; /* "FindClass [abort], GetEnv [passed]" */
    char *first_call;    /* backtrace frame #0 of its first report */
    char *fork_site;
};

struct owner {
    long long pid;
    char *libjvm, *host, *fix, *first_fork_site;
    size_t forks;
    struct child *children;
    size_t n_children;
};

struct summary {
    struct owner *owners;
    size_t n_owners;
    size_t records, unreadable, jni, other;
    long first_bad_line;
    char **messages; /* config_error and classpath lines, deduplicated */
    size_t n_messages;
};

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static const char *frame0(const struct fg_json *r, const char *key)
{
    const struct fg_json *a = fg_json_get(r, key);
    return a && a->type == FG_JSON_ARRAY && a->n && a->items[0]->type == FG_JSON_STRING
               ? a->items[0]->string
               : NULL;
}

static struct owner *owner_of(struct summary *s, const struct fg_json *r)
{
    long long pid = fg_json_int(r, "owner_pid", 0);
    struct owner *o;
    size_t i;
    for (i = 0; i < s->n_owners; i++)
        if (s->owners[i].pid == pid)
            return &s->owners[i];
    o = realloc(s->owners, (s->n_owners + 1) * sizeof *o);
    if (!o)
        return NULL;
    s->owners = o;
    o = &s->owners[s->n_owners++];
    memset(o, 0, sizeof *o);
    o->pid = pid;
    o->libjvm = dup_or_null(fg_json_str(r, "libjvm", NULL));
    o->host = dup_or_null(fg_json_str(r, "host", NULL));
    o->fix = dup_or_null(fg_json_str(r, "fix", NULL));
    return o;
}

static void add_jni(struct summary *s, const struct fg_json *r)
{
    struct owner *o = owner_of(s, r);
    struct child *c = NULL;
    long long pid = fg_json_int(r, "pid", 0);
    size_t i, len;
    if (!o)
        return;
    for (i = 0; i < o->n_children; i++)
        if (o->children[i].pid == pid)
            c = &o->children[i];
    if (!c) {
        struct child *grown = realloc(o->children, (o->n_children + 1) * sizeof *grown);
        if (!grown)
            return;
        o->children = grown;
        c = &o->children[o->n_children++];
        memset(c, 0, sizeof *c);
        c->pid = pid;
        c->parent = fg_json_int(r, "parent_pid", 0);
        c->first_call = dup_or_null(frame0(r, "backtrace"));
        c->fork_site = dup_or_null(frame0(r, "fork_backtrace"));
    }
    len = strlen(c->functions);
    snprintf(c->functions + len, sizeof c->functions - len, "%s%s [%s]", len ? ", " : "",
             fg_json_str(r, "function", "?"), fg_json_str(r, "action", "?"));
}

static void add_message(struct summary *s, const char *m)
{
    char **grown;
    size_t i;
    for (i = 0; i < s->n_messages; i++)
        if (strcmp(s->messages[i], m) == 0)
            return;
    grown = realloc(s->messages, (s->n_messages + 1) * sizeof *grown);
    if (!grown)
        return;
    s->messages = grown;
    s->messages[s->n_messages++] = strdup(m);
}

static void add_record(struct summary *s, const struct fg_json *r)
{
    const char *event = fg_json_str(r, "event", "");
    s->records++;
    if (strcmp(event, "jni_in_child") == 0) {
        s->jni++;
        add_jni(s, r);
    } else if (strcmp(event, "fork") == 0) {
        struct owner *o = owner_of(s, r);
        if (o && o->forks++ == 0)
            o->first_fork_site = dup_or_null(frame0(r, "fork_backtrace"));
    } else {
        const char *m = fg_json_str(r, "message", NULL);
        s->other++;
        if (m)
            add_message(s, m);
    }
}

static void print_summary(const char *path, const struct summary *s)
{
    size_t i, j;
    printf("forkguard report: %s: %zu records (%zu JNI uses in forked children)", path,
           s->records, s->jni);
    if (s->unreadable)
        printf(", %zu unreadable lines (first: line %ld)", s->unreadable, s->first_bad_line);
    printf("\n");
    for (i = 0; i < s->n_owners; i++) {
        const struct owner *o = &s->owners[i];
        printf("\nJVM owner pid %lld (%s, host %s)\n", o->pid, o->libjvm ? o->libjvm : "libjvm ?",
               o->host ? o->host : "?");
        if (o->forks)
            printf("  forks warned about: %zu, first at %s\n", o->forks,
                   o->first_fork_site ? o->first_fork_site : "(no frames)");
        printf("  children that used JNI: %zu\n", o->n_children);
        for (j = 0; j < o->n_children; j++) {
            const struct child *c = &o->children[j];
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

static void free_summary(struct summary *s)
{
    size_t i, j;
    for (i = 0; i < s->n_owners; i++) {
        struct owner *o = &s->owners[i];
        for (j = 0; j < o->n_children; j++) {
            free(o->children[j].first_call);
            free(o->children[j].fork_site);
        }
        free(o->children);
        free(o->libjvm);
        free(o->host);
        free(o->fix);
        free(o->first_fork_site);
    }
    free(s->owners);
    for (i = 0; i < s->n_messages; i++)
        free(s->messages[i]);
    free(s->messages);
}

int fg_report_main(int argc, char **argv)
{
    struct summary s;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    FILE *f;
    if (argc != 2) {
        fputs(FG_CLI_ERR_REPORT_USAGE, stderr);
        return 2;
    }
    f = strcmp(argv[1], "-") == 0 ? stdin : fopen(argv[1], "r");
    if (!f) {
        fprintf(stderr, FG_CLI_ERR_REPORT_OPEN, argv[1], strerror(errno));
        return 2;
    }
    memset(&s, 0, sizeof s);
    while ((n = getline(&line, &cap, f)) >= 0) {
        struct fg_json *r;
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0)
            continue;
        r = fg_json_parse(line, (size_t)n);
        if (!r || r->type != FG_JSON_OBJECT || !fg_json_get(r, "event")) {
            if (!s.unreadable++)
                s.first_bad_line = lineno;
        } else {
            add_record(&s, r);
        }
        fg_json_free(r);
    }
    free(line);
    if (f != stdin)
        fclose(f);
    print_summary(argv[1], &s);
    n = s.jni ? 1 : 0;
    free_summary(&s);
    return (int)n;
}
