#!/bin/sh
# Writes the table of every `void test_NAME(void)` defined at the start of a
# line in the given files, in file order.
names=$(grep -ho '^void test_[A-Za-z0-9_]*(void)' "$@" | sed 's/^void \(test_[A-Za-z0-9_]*\)(void)/\1/')
for n in $names; do echo "void $n(void);"; done
echo 'struct test_entry { const char *name; void (*fn)(void); };'
echo 'const struct test_entry test_registry[] = {'
for n in $names; do echo "	{ \"${n#test_}\", $n },"; done
echo '	{ 0, 0 }'
echo '};'
echo "const unsigned test_registry_len = sizeof(test_registry) / sizeof(test_registry[0]) - 1;"
