/* fg_config_parse: the FORKGUARD_* values a user can set, good and bad.
 *
 * The parser is driven directly (no environment): each bad value must give
 * exactly one one-line message naming the variable and the value, listing
 * what is expected and saying which default is used — and the default must be
 * what ends up in the struct. */
#include "preload/config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

struct fg_seen {
    int n;
    char var[64];
    char line[2048];
};

static void fg_collect(void *ctx, const char *variable, const char *line)
{
    struct fg_seen *s = ctx;
    s->n++;
    snprintf(s->var, sizeof s->var, "%s", variable ? variable : "(null)");
    snprintf(s->line, sizeof s->line, "%s", line ? line : "(null)");
}

/* Parses with `out` pre-filled with garbage, so a field the parser forgets
 * to set shows up. */
static void fg_parse(const struct fg_config_input *in, struct fg_config *out,
                     struct fg_seen *seen)
{
    memset(seen, 0, sizeof *seen);
    memset(out, 0xa5, sizeof *out);
    fg_config_parse(in, out, fg_collect, seen);
}

static void test_defaults_when_unset(void **state)
{
    struct fg_config_input in;
    struct fg_config c;
    struct fg_seen seen;
    (void)state;
    memset(&in, 0, sizeof in);
    fg_parse(&in, &c, &seen);
    assert_int_equal(seen.n, 0);
    assert_int_equal(c.mode, FG_MODE_BLOCK);
    assert_int_equal(c.format, FG_FORMAT_TEXT);
    assert_int_equal(c.on_fork_warn, 0);
    assert_int_equal(c.exit_code, 0);
    assert_null(c.log_path);
    assert_null(c.classpath);
    assert_null(c.drivers);
    assert_int_equal(c.classpath_mode, FG_CP_ISOLATED);
}

/* Which field of the input a variable fills. */
static const char **fg_field(struct fg_config_input *in, const char *var)
{
    if (!strcmp(var, "FORKGUARD_MODE"))
        return &in->mode;
    if (!strcmp(var, "FORKGUARD_FORMAT"))
        return &in->format;
    if (!strcmp(var, "FORKGUARD_ON_FORK"))
        return &in->on_fork;
    if (!strcmp(var, "FORKGUARD_EXIT_CODE"))
        return &in->exit_code;
    if (!strcmp(var, "FORKGUARD_CLASSPATH_MODE"))
        return &in->classpath_mode;
    fail_msg("no field for %s", var);
    return NULL;
}

/* The parsed value of a variable, as one int. */
static int fg_value(const struct fg_config *c, const char *var)
{
    if (!strcmp(var, "FORKGUARD_MODE"))
        return (int)c->mode;
    if (!strcmp(var, "FORKGUARD_FORMAT"))
        return (int)c->format;
    if (!strcmp(var, "FORKGUARD_ON_FORK"))
        return c->on_fork_warn;
    if (!strcmp(var, "FORKGUARD_EXIT_CODE"))
        return c->exit_code;
    return (int)c->classpath_mode;
}

static void test_valid_values(void **state)
{
    static const struct {
        const char *var, *value;
        int want;
    } cases[] = {
        {"FORKGUARD_MODE", "block", FG_MODE_BLOCK},
        {"FORKGUARD_MODE", "warn", FG_MODE_WARN},
        {"FORKGUARD_MODE", "off", FG_MODE_OFF},
        {"FORKGUARD_FORMAT", "text", FG_FORMAT_TEXT},
        {"FORKGUARD_FORMAT", "json", FG_FORMAT_JSON},
        {"FORKGUARD_ON_FORK", "silent", 0},
        {"FORKGUARD_ON_FORK", "warn", 1},
        {"FORKGUARD_EXIT_CODE", "1", 1},
        {"FORKGUARD_EXIT_CODE", "42", 42},
        {"FORKGUARD_EXIT_CODE", "255", 255},
        {"FORKGUARD_CLASSPATH_MODE", "isolated", FG_CP_ISOLATED},
        {"FORKGUARD_CLASSPATH_MODE", "system", FG_CP_SYSTEM},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fg_config_input in;
        struct fg_config c;
        struct fg_seen seen;
        memset(&in, 0, sizeof in);
        *fg_field(&in, cases[i].var) = cases[i].value;
        fg_parse(&in, &c, &seen);
        if (seen.n != 0 || fg_value(&c, cases[i].var) != cases[i].want)
            fail_msg("%s=%s: got %d with %d message(s) (%s), want %d", cases[i].var,
                     cases[i].value, fg_value(&c, cases[i].var), seen.n, seen.line,
                     cases[i].want);
    }
}

/* What the message should echo: printable ASCII as is, other bytes as \xNN.
 * Writes at most `max` shown bytes of the value; returns 1 if it was cut. */
static int fg_echo(const char *value, size_t max, char *out, size_t size)
{
    const unsigned char *s = (const unsigned char *)value;
    size_t i, o = 0;
    for (i = 0; s[i] && i < max && o + 5 < size; i++) {
        if (s[i] >= 0x20 && s[i] < 0x7f)
            out[o++] = (char)s[i];
        else
            o += (size_t)snprintf(out + o, size - o, "\\x%02x", s[i]);
    }
    out[o] = '\0';
    return s[i] != '\0';
}

struct fg_var_spec {
    const char *var, *expected, *dflt, *upper;
    int dflt_value;
};

static const struct fg_var_spec fg_vars[] = {
    {"FORKGUARD_MODE", "block, warn or off", "block", "BLOCK", FG_MODE_BLOCK},
    {"FORKGUARD_FORMAT", "text or json", "text", "JSON", FG_FORMAT_TEXT},
    {"FORKGUARD_ON_FORK", "silent or warn", "silent", "WARN", 0},
    {"FORKGUARD_EXIT_CODE", "an integer from 1 to 255", "abort()", "0x10", 0},
    {"FORKGUARD_CLASSPATH_MODE", "isolated or system", "isolated", "SYSTEM", FG_CP_ISOLATED},
};

/* One bad value of one variable: one message, exact text for short values,
 * a cut but well-formed one-line message for long ones, and the default. */
static void fg_check_bad(const struct fg_var_spec *v, const char *value)
{
    struct fg_config_input in;
    struct fg_config c;
    struct fg_seen seen;
    char echo[512], want[1024], head[600];
    int cut;
    size_t hl;

    memset(&in, 0, sizeof in);
    *fg_field(&in, v->var) = value;
    fg_parse(&in, &c, &seen);
    if (seen.n != 1)
        fail_msg("%s=%.40s: %d messages, want 1", v->var, value, seen.n);
    assert_string_equal(seen.var, v->var);
    if (fg_value(&c, v->var) != v->dflt_value)
        fail_msg("%s=%.40s: value %d, want the default %d", v->var, value, fg_value(&c, v->var),
                 v->dflt_value);
    if (strchr(seen.line, '\n'))
        fail_msg("%s: message is not one line: %s", v->var, seen.line);
    if (strlen(seen.line) > 400)
        fail_msg("%s: message of %zu bytes echoes too much", v->var, strlen(seen.line));

    cut = fg_echo(value, 1 << 30, echo, sizeof echo);
    if (!cut) {
        snprintf(want, sizeof want, "forkguard: %s=%s: expected %s; using %s", v->var, echo,
                 v->expected, v->dflt);
        assert_string_equal(seen.line, want);
        return;
    }
    /* Long: "forkguard: VAR=<a shown prefix of the value>...: expected ..." */
    snprintf(head, sizeof head, "forkguard: %s=", v->var);
    hl = strlen(head);
    assert_int_equal(strncmp(seen.line, head, hl), 0);
    snprintf(want, sizeof want, "...: expected %s; using %s", v->expected, v->dflt);
    {
        const char *tail = strstr(seen.line, want);
        size_t shown;
        if (!tail || strlen(tail) != strlen(want))
            fail_msg("%s: long value: message lacks the cut mark or tail: %s", v->var,
                     seen.line);
        shown = (size_t)(tail - seen.line) - hl;
        assert_true(shown > 0);
        fg_echo(value, shown, echo, sizeof echo);
        /* The shown part is the value's own beginning, escaped. */
        assert_int_equal(strncmp(seen.line + hl, echo, shown), 0);
    }
}

static void test_bad_values(void **state)
{
    static char big[1 << 20];
    static char big_digits[1 << 20];
    const char *common[] = {"",    "bogus", "1000",     "0",      "-1",
                            "12x", " 3",    "\x01\xff", "block ", "+3",
                            "256", "3 ",    "9\t",      big,      big_digits};
    size_t i, j;
    (void)state;
    memset(big, 'a', sizeof big - 1);
    memcpy(big + 100, "\x01\xfe", 2); /* past the shown part: never echoed */
    memset(big_digits, '9', sizeof big_digits - 1);
    for (i = 0; i < sizeof fg_vars / sizeof fg_vars[0]; i++) {
        for (j = 0; j < sizeof common / sizeof common[0]; j++)
            fg_check_bad(&fg_vars[i], common[j]);
        fg_check_bad(&fg_vars[i], fg_vars[i].upper);
    }
}

/* A long value with bytes that need escaping right at the cut: the message
 * still fits and keeps its tail. */
static void test_bad_value_escapes_near_cut(void **state)
{
    static char v[4096];
    size_t i;
    (void)state;
    for (i = 0; i < sizeof v - 1; i++)
        v[i] = (char)(0x80 + i % 100);
    fg_check_bad(&fg_vars[0], v);
    fg_check_bad(&fg_vars[3], v);
}

static void test_several_bad_values_each_reported(void **state)
{
    struct fg_config_input in;
    struct fg_config c;
    struct fg_seen seen;
    (void)state;
    memset(&in, 0, sizeof in);
    in.mode = "bogus";
    in.format = "json";
    in.exit_code = "0";
    in.on_fork = "warn";
    fg_parse(&in, &c, &seen);
    assert_int_equal(seen.n, 2);
    assert_int_equal(c.mode, FG_MODE_BLOCK);
    assert_int_equal(c.format, FG_FORMAT_JSON);
    assert_int_equal(c.exit_code, 0);
    assert_int_equal(c.on_fork_warn, 1);
}

static void test_no_callback_still_defaults(void **state)
{
    struct fg_config_input in;
    struct fg_config c;
    (void)state;
    memset(&in, 0, sizeof in);
    in.mode = "bogus";
    in.exit_code = "1000";
    memset(&c, 0xa5, sizeof c);
    fg_config_parse(&in, &c, NULL, NULL);
    assert_int_equal(c.mode, FG_MODE_BLOCK);
    assert_int_equal(c.exit_code, 0);
}

static void test_log_classpath_drivers(void **state)
{
    struct fg_config_input in;
    struct fg_config c;
    struct fg_seen seen;
    (void)state;
    memset(&in, 0, sizeof in);
    in.log = "/tmp/fg.log";
    in.classpath = "/a.jar:/b;/c.jar";
    in.drivers = "org.h2.Driver";
    fg_parse(&in, &c, &seen);
    assert_int_equal(seen.n, 0);
    assert_string_equal(c.log_path, "/tmp/fg.log");
    assert_string_equal(c.classpath, "/a.jar:/b;/c.jar");
    assert_string_equal(c.drivers, "org.h2.Driver");

    in.log = "stderr";
    in.classpath = "";
    in.drivers = "";
    fg_parse(&in, &c, &seen);
    assert_int_equal(seen.n, 0);
    assert_null(c.log_path);
    assert_null(c.classpath);
    assert_null(c.drivers);

    /* An empty log path is probably a mistake: said once, stderr used. */
    in.log = "";
    fg_parse(&in, &c, &seen);
    assert_int_equal(seen.n, 1);
    assert_string_equal(seen.var, "FORKGUARD_LOG");
    assert_non_null(strstr(seen.line, "forkguard: FORKGUARD_LOG="));
    assert_null(c.log_path);
}

/* Under AT_SECURE the environment is the attacker's: no path opened, no code
 * loaded, but the harmless choices still apply. */
static void test_secure_drops_paths(void **state)
{
    struct fg_config_input in;
    struct fg_config c;
    struct fg_seen seen;
    (void)state;
    memset(&in, 0, sizeof in);
    in.secure = 1;
    in.mode = "warn";
    in.format = "json";
    in.log = "/etc/passwd";
    in.classpath = "/tmp/evil.jar";
    in.drivers = "evil.Driver";
    in.classpath_mode = "system";
    fg_parse(&in, &c, &seen);
    assert_int_equal(seen.n, 0);
    assert_null(c.log_path);
    assert_null(c.classpath);
    assert_null(c.drivers);
    assert_int_equal(c.mode, FG_MODE_WARN);
    assert_int_equal(c.format, FG_FORMAT_JSON);
    assert_int_equal(c.classpath_mode, FG_CP_SYSTEM);

    in.mode = "bogus";
    fg_parse(&in, &c, &seen);
    assert_int_equal(seen.n, 1);
    assert_int_equal(c.mode, FG_MODE_BLOCK);
    assert_null(c.log_path);
}

static void test_mode_names(void **state)
{
    (void)state;
    assert_string_equal(fg_config_mode_name(FG_MODE_BLOCK), "block");
    assert_string_equal(fg_config_mode_name(FG_MODE_WARN), "warn");
    assert_string_equal(fg_config_mode_name(FG_MODE_OFF), "off");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_when_unset),
        cmocka_unit_test(test_valid_values),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_bad_value_escapes_near_cut),
        cmocka_unit_test(test_several_bad_values_each_reported),
        cmocka_unit_test(test_no_callback_still_defaults),
        cmocka_unit_test(test_log_classpath_drivers),
        cmocka_unit_test(test_secure_drops_paths),
        cmocka_unit_test(test_mode_names),
    };
    /* Line-buffered so cmocka's stdout and stderr lines stay in order. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
