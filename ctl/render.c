/* urlctl's renderers (render.h). */
#include <string.h>

#include "ctl/render.h"
#include "common/ctl_proto.h"
#include "common/metrics.h"

#define METRIC_PREFIX "url_enforcer_"

void render_collect_row(void *rows, const uint8_t *begin, const uint8_t *end)
{
	json_t *obj = json_object();
	struct ctl_field f;

	while (ctl_field_next(&begin, end, &f) == 1) {
		json_t *v = f.kind == CTL_F_STR ? json_string(f.str) :
			    f.kind == CTL_F_U64 ? json_integer((json_int_t)f.u64) :
			    f.kind == CTL_F_BOOL ? json_boolean(f.b) : json_null();

		json_object_set_new(obj, f.name, v);
	}
	json_array_append_new(rows, obj);
}

/* A field's value as text: strings bare, null as "-". */
static void value_text(const json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, len, "%s", json_is_true(v) ? "yes" : "no");
	else
		snprintf(buf, len, "-");
}

static void text_record(FILE *out, json_t *row)
{
	const char *k;
	json_t *v;
	char buf[1024];

	json_object_foreach(row, k, v) {
		value_text(v, buf, sizeof(buf));
		fprintf(out, "%-14s %s\n", k, buf);
	}
}

static void text_table(FILE *out, json_t *rows)
{
	size_t widths[32] = { 0 }, i, c;
	json_t *row, *v;
	const char *k;
	char buf[1024];

	if (!json_array_size(rows)) {
		fprintf(out, "(none)\n");
		return;
	}
	json_array_foreach(rows, i, row) {
		c = 0;
		json_object_foreach(row, k, v) {
			if (c >= 32)
				break;
			value_text(v, buf, sizeof(buf));
			if (strlen(k) > widths[c])
				widths[c] = strlen(k);
			if (strlen(buf) > widths[c])
				widths[c] = strlen(buf);
			c++;
		}
	}
	c = 0;
	json_object_foreach(json_array_get(rows, 0), k, v) {
		if (c < 32)
			fprintf(out, "%s%-*s", c ? "  " : "", (int)widths[c], k);
		c++;
	}
	fputc('\n', out);
	json_array_foreach(rows, i, row) {
		c = 0;
		json_object_foreach(row, k, v) {
			if (c >= 32)
				break;
			value_text(v, buf, sizeof(buf));
			fprintf(out, "%s%-*s", c ? "  " : "", (int)widths[c], buf);
			c++;
		}
		fputc('\n', out);
	}
}

static bool is_metric_meta(const char *k)
{
	return !strcmp(k, "metric") || !strcmp(k, "value") || !strcmp(k, "family");
}

/* {k="v",...} from a metric row's label fields, or "" without labels. */
static void labels_text(json_t *row, char *buf, size_t len)
{
	const char *k;
	json_t *v;
	size_t n = 0;

	buf[0] = 0;
	json_object_foreach(row, k, v) {
		if (is_metric_meta(k) || !json_is_string(v) || n >= len)
			continue;
		n += snprintf(buf + n, len - n, "%s%s=\"", n ? "," : "{", k);
		for (const char *s = json_string_value(v); *s && n + 3 < len; s++) {
			if (*s == '"' || *s == '\\' || *s == '\n')
				buf[n++] = '\\';
			buf[n++] = *s == '\n' ? 'n' : *s;
		}
		n += snprintf(buf + n, len - n, "\"");
	}
	if (n && n < len)
		snprintf(buf + n, len - n, "}");
}

static void metrics_text(FILE *out, json_t *rows, bool prometheus)
{
	const char *last = "";
	char labels[1024];
	json_t *row;
	size_t i;

	json_array_foreach(rows, i, row) {
		const char *metric = json_string_value(json_object_get(row, "metric"));
		/* a histogram's _bucket, _sum and _count rows share one family */
		const char *family = json_string_value(json_object_get(row, "family")) ?: metric;

		if (!metric)
			continue;
		if (prometheus && strcmp(family, last)) {
			/* help and kind from the table both binaries share */
			const struct metric_def *def = metric_find(family);

			fprintf(out, "# HELP %s%s %s\n", METRIC_PREFIX, family, def ? def->help : "");
			fprintf(out, "# TYPE %s%s %s\n", METRIC_PREFIX, family,
				def ? metric_kind_name(def->kind) : "untyped");
		}
		last = family;
		labels_text(row, labels, sizeof(labels));
		fprintf(out, "%s%s%s %lld\n", prometheus ? METRIC_PREFIX : "", metric, labels,
			(long long)json_integer_value(json_object_get(row, "value")));
	}
}

/* {"metric": value} or, with labels, {"metric": {"labelvalue": value}}. */
static json_t *metrics_json(json_t *rows)
{
	json_t *root = json_object(), *row, *v;
	const char *k;
	size_t i;

	json_array_foreach(rows, i, row) {
		const char *metric = json_string_value(json_object_get(row, "metric"));
		json_t *value = json_object_get(row, "value");
		const char *label = NULL;

		if (!metric || !value)
			continue;
		json_object_foreach(row, k, v)
			if (!is_metric_meta(k) && json_is_string(v))
				label = json_string_value(v);
		if (!label) {
			json_object_set(root, metric, value);
			continue;
		}
		if (!json_is_object(json_object_get(root, metric)))
			json_object_set_new(root, metric, json_object());
		json_object_set(json_object_get(root, metric), label, value);
	}
	return root;
}

void render(FILE *out, enum out_shape shape, enum out_format format, json_t *rows)
{
	json_t *doc;

	if (format == OUT_JSON) {
		doc = shape == SHAPE_RECORD ? json_incref(json_array_get(rows, 0)) :
		      shape == SHAPE_METRICS ? metrics_json(rows) : json_incref(rows);
		json_dumpf(doc ? doc : json_object(), out, JSON_PRESERVE_ORDER | JSON_INDENT(2));
		fputc('\n', out);
		json_decref(doc);
	} else if (shape == SHAPE_METRICS) {
		metrics_text(out, rows, format == OUT_PROMETHEUS);
	} else if (shape == SHAPE_RECORD) {
		if (json_array_size(rows))
			text_record(out, json_array_get(rows, 0));
	} else {
		text_table(out, rows);
	}
}
