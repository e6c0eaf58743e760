/* kiln/runlog.h — the run log: one JSON object per line, appended by every
 * compare, tune and train, listed by `kiln runs` (see docs/compare.md).
 *
 *     uint64_t h;
 *     kiln_file_hash("data.csv", &h);                 // FNV-1a, 64 bits
 *     kiln_runlog_append("kiln-runs.jsonl", "{\"command\":\"train\"}");
 *     char v[64];
 *     if (kiln_json_lookup(line, "metrics.Accuracy", v, sizeof v)) ...;
 */
#ifndef KILN_RUNLOG_H
#define KILN_RUNLOG_H

#include <stddef.h>
#include <stdint.h>
#include "kiln/status.h"

/* 64-bit FNV-1a (Fowler, Noll, Vo) of a file's bytes. */
kiln_status kiln_file_hash(const char *path, uint64_t *out);

/* Append `line` and a newline to the log at `path` (created if absent) in one
 * write with O_APPEND, so concurrent runs never interleave within a line. */
kiln_status kiln_runlog_append(const char *path, const char *line);

/* Call fn for every non-empty line of the log, with its 1-based number. */
typedef kiln_status (*kiln_runlog_fn)(void *arg, const char *line, size_t lineno);
kiln_status kiln_runlog_read(const char *path, kiln_runlog_fn fn, void *arg);

/* The value of `key` in a JSON object (a dotted key looks into nested objects:
 * "metrics.R2"), as text: strings unescaped, numbers and literals as written.
 * Returns 1 when found and it fits in buf, else 0. */
int kiln_json_lookup(const char *json, const char *key, char *buf, size_t size);

#endif
