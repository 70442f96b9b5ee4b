#!/usr/bin/env bash
# tests/run.sh and lib.sh catch what a test cannot report itself: each case
# gives the runner a unit binary and e2e scripts of its own (E2E_DIR) with
# one fault, and expects its FAIL line and a failing exit; a clean case
# expects none. The faults are real programs: a segfault, ASan, UBSan and
# LeakSanitizer reports (built here with cc), a process dying of a signal.
source "$(dirname "$0")/lib.sh"
need cc

# build NAME [CFLAGS...] <<< C: $TMP/bin/NAME from the C source on stdin
build() {
	local name=$1; shift
	mkdir -p "$TMP/bin"
	cc -g -o "$TMP/bin/$name" -x c - "$@"
}
build segv <<'C'
#include <stdio.h>
int main(void) { puts("ok   first"); fflush(stdout); *(volatile int *)0 = 1; return 0; }
C
build exit1 <<'C'
#include <stdio.h>
int main(void) { puts("ok   first"); puts("unit: 1 passed, 0 failed, 0 skipped"); return 1; }
C
build clean <<'C'
#include <stdio.h>
int main(void) { puts("ok   first"); puts("unit: 1 passed, 0 failed, 0 skipped"); return 0; }
C
build asan -fsanitize=address <<'C'
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
	char *p = malloc(4); (void)argv;
	puts("ok   first"); puts("unit: 1 passed, 0 failed, 0 skipped"); fflush(stdout);
	p[argc + 4] = 1;                  /* heap overflow */
	free(p);
	return 0;
}
C
build ubsan -fsanitize=undefined -fno-sanitize-recover=undefined <<'C'
#include <limits.h>
int main(int argc, char **argv) { int i = INT_MAX - 1 + argc; (void)argv; return i + 1 == 0; }
C
build leak -fsanitize=address <<'C'
#include <stdlib.h>
#include <unistd.h>
void *kept;
int main(void) { kept = malloc(64); kept = NULL; usleep(100000); return 0; }
C

# runner_case NAME UNIT_BINARY EXPECTED_LINE < SCRIPT: runs tests/run.sh with
# UNIT_BINARY as the unit binary and SCRIPT as its only e2e script; EXPECTED_LINE
# (an ERE) must be in its output and it must fail; "" expects a clean pass
runner_case() {
	local name=$1 unit=$2 want=$3 dir=$TMP/$1 out rc
	mkdir -p "$dir/build/tests" "$dir/e2e"
	cp "$TMP/bin/$unit" "$dir/build/tests/unit_tests"
	{ echo "source '$TOP/tests/e2e/lib.sh'"; cat; } > "$dir/e2e/case.sh"
	out=$(cd "$dir" && E2E_DIR="$dir/e2e" BUILD="$dir/build" bash "$TOP/tests/run.sh" 2>&1)
	rc=$?
	if [ -z "$want" ]; then
		if [ "$rc" = 0 ] && ! grep -q '^FAIL' <<<"$out"; then ok "$name"
		else fail "$name" "exit $rc: $(grep '^FAIL' <<<"$out" | head -2 | tr '\n' ';')"; fi
	elif [ "$rc" = 0 ]; then
		fail "$name" "the runner passed: $(tail -1 <<<"$out")"
	elif grep -qE "^FAIL $want" <<<"$out"; then
		ok "$name"
	else
		fail "$name" "no line /^FAIL $want/, got: $(grep '^FAIL' <<<"$out" | head -3 | tr '\n' ';')"
	fi
}

runner_case clean_passes clean '' <<'S'
ok clean
S
runner_case unit_segfault segv 'unit: killed by SIGSEGV after 1 tests' <<<'ok clean'
runner_case unit_exit_without_fail_line exit1 'unit: exited 1 without a failed test' <<<'ok clean'
runner_case unit_asan_report asan 'unit: sanitizer report from pid [0-9]+: .*AddressSanitizer: heap-buffer-overflow' <<<'ok clean'
runner_case daemon_ubsan_report clean 'e2e/case: sanitizer report from pid [0-9]+: .*runtime error: signed integer overflow' <<S
"$TMP/bin/ubsan" 2>/dev/null & PIDS+=(\$!)
wait
ok ran
S
runner_case daemon_leak_report clean 'e2e/case: sanitizer report from pid [0-9]+: .*LeakSanitizer' <<S
"$TMP/bin/leak" 2>/dev/null & PIDS+=(\$!)
wait
ok ran
S
runner_case daemon_crash clean 'e2e/case/process_[0-9]+: died of SIGSEGV' <<S
"$TMP/bin/segv" >/dev/null & PIDS+=(\$!)
sleep 0.5
ok ran
S
runner_case missing_tool clean 'e2e/case/setup: no-such-tool-here missing: make deps installs it' <<'S'
need no-such-tool-here
ok ran
S
runner_case script_exit clean 'e2e/case: script exited 3' <<'S'
ok ran
exit 3
S
exit 0
