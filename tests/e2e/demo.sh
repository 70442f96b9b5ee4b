#!/usr/bin/env bash
# The README's commands as a newcomer types them: make demo's script runs
# start to end, shows allowed, blocked and paged requests with their log
# lines, and leaves no namespace behind; the five-minute tour's urlctl
# commands answer as the README says.
source "$(dirname "$0")/lib.sh"
need curl openssl

bash "$TOP/examples/demo/demo.sh" > "$TMP/demo.out" 2>&1 &
demo=$!
wait "$demo"; rc=$?
check demo_exits_0 test "$rc" = 0
check demo_shows_allowed grep -q 'client saw: hello from www.wikipedia.org' "$TMP/demo.out"
check demo_shows_block_page grep -q 'blocked by rule <b>apps</b>' "$TMP/demo.out"
check demo_shows_pause_page grep -q 'client saw: .*The internet is paused for this device until' "$TMP/demo.out"
check demo_shows_report grep -q '^192.168.1.34  requests [0-9]*  blocks [0-9]*' "$TMP/demo.out"
check demo_shows_log_lines grep -q 'log: {"ts":.*"action":"block"' "$TMP/demo.out"
check demo_shows_status grep -q '^interfaces *gw-lan' "$TMP/demo.out"
check demo_leaves_no_namespace sh -c "! ip netns list | grep -q '^ue${demo}'"
check demo_leaves_no_daemon sh -c "! pgrep -f '[u]rl-enforcer -i gw-lan -p .*/examples/parental.rules' >/dev/null"

check readme_check_example "$BUILD/urlctl" check "$TOP/examples/parental.rules"
out=$("$BUILD/urlctl" test -p "$TOP/examples/parental.rules" --client 192.168.1.34 \
	--time '2026-11-24 16:30' http://www.youtube.com/shorts/abc)
check readme_test_shorts sh -c "echo '$out' | grep -q 'block.*id=shorts response=page'"
out=$("$BUILD/urlctl" test -p "$TOP/examples/parental.rules" --client 192.168.1.34 \
	--time '2026-11-24 21:30' 'http://www.youtube.com/watch?v=1')
check readme_test_bedtime sh -c "echo '$out' | grep -q 'block.*id=bedtime'"
exit 0
