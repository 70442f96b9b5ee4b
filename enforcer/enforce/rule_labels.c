/* Rule labels by number; see rule_labels.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enforcer/enforce/rule_labels.h"
#include "common/array.h"
#include "common/name_map.h"

struct rule_labels {
	char **label;
	unsigned n;
	struct name_map *index;    /* label -> its number */
};

struct rule_labels *rule_labels_new(void)
{
	struct rule_labels *l = calloc(1, sizeof(*l));

	if (l && !(l->index = name_map_new(1024))) {
		free(l);
		errno = ENOMEM;
		return NULL;
	}
	return l;
}

void rule_labels_free(struct rule_labels *l)
{
	if (!l)
		return;
	for (unsigned i = 0; i < l->n; i++)
		free(l->label[i]);
	free(l->label);
	name_map_free(l->index);
	free(l);
}

uint32_t rule_labels_intern(const struct rule_info *rule, void *labels)
{
	struct rule_labels *l = labels;
	char label[512], *copy;
	const uint32_t *found;
	unsigned n, len;

	len = (unsigned)snprintf(label, sizeof(label), "%s:%u%s%s", rule->file, rule->line,
				 rule->id ? " " : "", rule->id ? rule->id : "");
	if (len >= sizeof(label))
		len = sizeof(label) - 1;
	found = name_map_get(l->index, label, len, &n);
	if (found)
		return found[0];
	if (l->n >= RULE_LABELS_MAX || !(copy = strdup(label)))
		return 0;
	if (array_append(&l->label, &l->n, &copy, sizeof(copy))) {
		free(copy);
		return 0;
	}
	if (name_map_add(l->index, label, len, l->n)) {
		l->n--;
		free(copy);
		return 0;
	}
	return l->n;
}

const char *rule_labels_get(const struct rule_labels *l, uint32_t n)
{
	return n && n <= l->n ? l->label[n - 1] : NULL;
}
