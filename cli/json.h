/* A small JSON reader for forkguard's own log lines (one object per line). */
#ifndef FG_CLI_JSON_H
#define FG_CLI_JSON_H

#include <stddef.h>

enum fg_json_type { FG_JSON_NULL, FG_JSON_BOOL, FG_JSON_NUMBER, FG_JSON_STRING, FG_JSON_ARRAY,
                    FG_JSON_OBJECT };

struct fg_json {
    enum fg_json_type type;
    double number;        /* NUMBER; BOOL: 0 or 1 */
    char *string;         /* STRING, decoded to UTF-8 */
    size_t n;             /* ARRAY, OBJECT: number of items */
    char **keys;          /* OBJECT */
    struct fg_json **items;
};

/* Parses one complete JSON text; NULL when it is not valid JSON (or nests
 * deeper than 64 levels). */
struct fg_json *fg_json_parse(const char *text, size_t len);
void fg_json_free(struct fg_json *v);
/* Member `key` of an object, NULL when absent or v is not an object. */
const struct fg_json *fg_json_get(const struct fg_json *v, const char *key);
/* Convenience: the member's string / number, or `fallback`. */
const char *fg_json_str(const struct fg_json *v, const char *key, const char *fallback);
long long fg_json_int(const struct fg_json *v, const char *key, long long fallback);

#endif
