/* The metrics table (metrics.h) as data. */
#include <stddef.h>
#include <string.h>

#include "common/metrics.h"

const struct metric_def metric_defs[METRIC_COUNT] = {
#define ROW(name, kind, label, label_value, where, help) \
	{ name, METRIC_##kind, label, label_value, help },
	UE_METRICS(ROW)
#undef ROW
};

const char *metric_kind_name(enum metric_kind kind)
{
	static const char *const names[] = {
		[METRIC_COUNTER] = "counter", [METRIC_GAUGE] = "gauge",
		[METRIC_HISTOGRAM] = "histogram",
	};

	return names[kind];
}

const struct metric_def *metric_find(const char *name)
{
	for (size_t i = 0; i < METRIC_COUNT; i++)
		if (!strcmp(metric_defs[i].name, name))
			return &metric_defs[i];
	return NULL;
}
