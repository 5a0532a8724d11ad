/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One output layer for plain text and JSON.
 *
 * Every field is emitted by a single call that knows both its JSON key and
 * its text format, so the two outputs cannot drift apart. In text mode the
 * structure calls (objects, arrays) print nothing and each field is printed
 * with its text format, or not at all when that format is NULL. In JSON mode
 * the text formats and print_text() are ignored.
 *
 * A JSON document is complete, and terminated by a newline, when the
 * outermost object or array is closed.
 */
#ifndef TCPTUNECTL_JSON_PRINT_H
#define TCPTUNECTL_JSON_PRINT_H

#include <stdbool.h>
#include <stdio.h>

/* Select the output stream and mode. pretty only matters with json. */
void out_init(FILE *f, bool json, bool pretty);
bool out_is_json(void);

/*
 * @key names the member inside an object and must be NULL inside an array
 * or for the outermost value.
 */
void out_open_object(const char *key);
void out_close_object(void);
void out_open_array(const char *key);
void out_close_array(void);

/* Text: fprintf(fmt, val) when fmt is not NULL; fmt converts with "%s". */
void out_string(const char *key, const char *fmt, const char *val);
/* Text: fprintf(fmt, val) when fmt is not NULL; fmt converts with "%llu". */
void out_uint(const char *key, const char *fmt, unsigned long long val);
/* Text mode only. */
void out_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Flush the stream; 0, or -errno when anything failed to be written. */
int out_flush(void);

#endif /* TCPTUNECTL_JSON_PRINT_H */
