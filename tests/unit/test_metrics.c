/* The metrics table (common/metrics.h): what Prometheus and urlctl's JSON need of it. */
#include <string.h>

#include "common/metrics.h"
#include "tests/harness.h"

/* Series of one name form one family: one kind, one help, one label name. */
void test_metrics_families_agree(void)
{
	for (size_t i = 0; i < METRIC_COUNT; i++) {
		const struct metric_def *a = &metric_defs[i], *first = metric_find(a->name);

		ASSERT_NONNULL(first);
		ASSERT_EQ(a->kind, first->kind);
		ASSERT_STREQ(a->help, first->help);
		ASSERT_EQ(!a->label, !first->label);
		if (a->label)
			ASSERT_STREQ(a->label, first->label);
		/* rows of a family are adjacent: Prometheus wants one HELP and TYPE */
		ASSERT_TRUE(first == a || !strcmp(a[-1].name, a->name));
		for (size_t j = 0; j < i; j++)
			ASSERT_TRUE(strcmp(metric_defs[j].name, a->name) ||
				    (a->label && strcmp(metric_defs[j].label_value, a->label_value)));
	}
}

/* Names as Prometheus and the JSON keys want them; counters say _total. */
void test_metrics_names(void)
{
	for (size_t i = 0; i < METRIC_COUNT; i++) {
		const struct metric_def *m = &metric_defs[i];
		size_t n = strlen(m->name);

		ASSERT_TRUE(n > 0 && strspn(m->name, "abcdefghijklmnopqrstuvwxyz0123456789_") == n);
		ASSERT_EQ(m->kind == METRIC_COUNTER,
			  n > 6 && !strcmp(m->name + n - 6, "_total"));
		ASSERT_TRUE(m->help && m->help[0] && !strchr(m->help, '\n'));
	}
	ASSERT_STREQ(metric_kind_name(METRIC_GAUGE), "gauge");
	ASSERT_NULL(metric_find("no_such_metric"));
}
