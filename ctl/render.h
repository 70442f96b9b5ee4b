/*
 * urlctl's one output table: the daemon sends typed rows, and only this file
 * turns them into text, JSON or the Prometheus text format, so the formats
 * cannot drift apart.
 */
#ifndef UE_RENDER_H
#define UE_RENDER_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

enum out_format { OUT_TEXT, OUT_JSON, OUT_PROMETHEUS };

enum out_shape {
	SHAPE_RECORD,    /* one row: "name: value" lines, or one JSON object */
	SHAPE_TABLE,     /* many rows: aligned columns, or a JSON array */
	SHAPE_METRICS,   /* rows {metric, value, label...}: common/metrics.h */
};

/* Collects rows; pass as the ctl_request callback with a json array as ARG. */
void render_collect_row(void *rows, const uint8_t *begin, const uint8_t *end);

/* Writes ROWS (a JSON array of objects) to OUT. */
void render(FILE *out, enum out_shape shape, enum out_format format, json_t *rows);

#endif
