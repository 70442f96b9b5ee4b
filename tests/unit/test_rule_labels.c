/* Rule labels for urlctl blocks (enforcer/enforce/rule_labels.h). */
#include "enforcer/enforce/rule_labels.h"
#include "tests/harness.h"

/* One number a label, kept across reloads; 0 and unknown numbers have none. */
void test_rule_labels_interned_once(void)
{
	struct rule_labels *l = rule_labels_new();
	struct rule_info a = { .file = "kids.rules", .line = 3, .id = "games" };
	struct rule_info b = { .file = "kids.rules", .line = 4 };
	struct rule_info a_again = { .file = "kids.rules", .line = 3, .id = "games" };

	ASSERT_NONNULL(l);
	ASSERT_EQ(rule_labels_intern(&a, l), 1);
	ASSERT_EQ(rule_labels_intern(&b, l), 2);
	ASSERT_EQ(rule_labels_intern(&a_again, l), 1);   /* a reload: same rule, same number */
	ASSERT_STREQ(rule_labels_get(l, 1), "kids.rules:3 games");
	ASSERT_STREQ(rule_labels_get(l, 2), "kids.rules:4");
	ASSERT_NULL(rule_labels_get(l, 0));
	ASSERT_NULL(rule_labels_get(l, 3));
	rule_labels_free(l);
}
