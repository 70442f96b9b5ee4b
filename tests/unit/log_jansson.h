/*
 * The decision log line as jansson writes it (the formatter the daemon used
 * before it wrote lines itself): the reference for the property test and
 * the baseline of `make bench-log`. Wire strings are first rendered by the
 * rule decision_log.h states for bytes that are not UTF-8, with jansson
 * judging what is valid UTF-8.
 */
#ifndef UE_TESTS_LOG_JANSSON_H
#define UE_TESTS_LOG_JANSSON_H

#include <stddef.h>

#include "enforcer/judge/decision_log.h"

/* Like decision_log_format: the line, newline and NUL into BUF; its length or -errno. */
int log_jansson_format(const struct decision_record *rec, char *buf, size_t size);

#endif
