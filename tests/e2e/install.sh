#!/usr/bin/env bash
# make install into a scratch DESTDIR, then what a packager and an admin
# would check: the tree, the man pages (mandoc -T lint), the unit
# (systemd-analyze verify), the bash completion, and make uninstall.
# No namespaces: lib.sh is here for ok/fail/skip, $TMP and its cleanup.
. "$(dirname "$0")/lib.sh"
need mandoc systemd-analyze

ROOT=$TMP/root
PREFIX=/usr/local
make_install() { make -s -C "$TOP" BUILD="$BUILD" DESTDIR="$ROOT" "$@" 2>&1; }

if ! out=$(make_install install); then
	fail make_install "$(echo "$out" | tail -3 | tr '\n' ' ')"
	exit 0
fi
ok make_install

# ---- the tree ----
expect_file() {    # PATH MODE
	local f=$ROOT$1 mode
	[ -f "$f" ] || { echo "missing $1"; return; }
	mode=$(stat -c %a "$f")
	[ "$mode" = "$2" ] || echo "$1 has mode $mode, not $2"
}
problems=$(
	expect_file $PREFIX/sbin/url-enforcer 755
	expect_file $PREFIX/sbin/urlctl 755
	expect_file $PREFIX/share/man/man8/url-enforcer.8 644
	expect_file $PREFIX/share/man/man8/urlctl.8 644
	expect_file $PREFIX/share/man/man5/url-enforcer.rules.5 644
	expect_file $PREFIX/lib/systemd/system/url-enforcer.service 644
	expect_file $PREFIX/lib/systemd/system/url-enforcer-web.service 644
	expect_file $PREFIX/lib/sysusers.d/url-enforcer.conf 644
	expect_file /etc/default/url-enforcer 644
	expect_file $PREFIX/share/bash-completion/completions/urlctl 644
	for f in "$TOP"/examples/services/*.list; do
		expect_file $PREFIX/share/url-enforcer/services/$(basename "$f") 644
	done
	cmp -s "$BUILD/url-enforcer" "$ROOT$PREFIX/sbin/url-enforcer" ||
		echo "sbin/url-enforcer differs from $BUILD/url-enforcer"
)
[ -z "$problems" ] && ok tree || fail tree "$(echo "$problems" | tr '\n' ';')"

check examples diff -r "$TOP/examples" "$ROOT$PREFIX/share/url-enforcer/examples"

# the binaries look for the service lists where make install put them
check services_dir_compiled_in sh -c "strings '$BUILD/urlctl' | grep -qx '$PREFIX/share/url-enforcer/services' &&
	strings '$BUILD/url-enforcer' | grep -qx '$PREFIX/share/url-enforcer/services'"

# ---- man pages: lint clean. Whether the pages they cross-reference are
# installed on this machine is no fault of the page. ----
for page in man8/url-enforcer.8 man8/urlctl.8 man5/url-enforcer.rules.5; do
	out=$(mandoc -T lint "$ROOT$PREFIX/share/man/$page" 2>&1 |
		grep -v -e 'STYLE: referenced manual not found' -e 'outdated mandoc.db')
	[ -z "$out" ] && ok "lint_$(basename $page)" ||
		fail "lint_$(basename $page)" "$(echo "$out" | head -3 | tr '\n' ' ')"
done

# ---- the unit: verify clean (its Documentation= pages resolved from the
# DESTDIR), and its ExecStart names the installed daemon ----
unit=$ROOT$PREFIX/lib/systemd/system/url-enforcer.service
out=$(MANPATH=$ROOT$PREFIX/share/man: systemd-analyze verify "$unit" 2>&1)
rc=$?
[ $rc = 0 ] && [ -z "$out" ] && ok unit_verify ||
	fail unit_verify "rc $rc: $(echo "$out" | head -3 | tr '\n' ' ')"
web_unit=$ROOT$PREFIX/lib/systemd/system/url-enforcer-web.service
# verify wants ExecStart's binary on this machine: a copy that runs the DESTDIR one
sed "s|$PREFIX/sbin/|$ROOT$PREFIX/sbin/|" "$web_unit" > "$TMP/url-enforcer-web.service"
out=$(MANPATH=$ROOT$PREFIX/share/man: systemd-analyze verify "$TMP/url-enforcer-web.service" 2>&1)
rc=$?
[ $rc = 0 ] && [ -z "$out" ] && ok web_unit_verify ||
	fail web_unit_verify "rc $rc: $(echo "$out" | head -3 | tr '\n' ' ')"
# the dashboard's unit grants nothing: an empty bounding set, a dynamic user
check web_unit_no_capabilities grep -qx 'CapabilityBoundingSet=' "$web_unit"
check web_unit_runs_urlctl_web grep -q "^ExecStart=$PREFIX/sbin/urlctl web " "$web_unit"
daemon=$(grep -o '[^ ]*/sbin/url-enforcer' "$unit" | head -1)
[ "$daemon" = "$PREFIX/sbin/url-enforcer" ] && [ -x "$ROOT$daemon" ] && ok unit_execstart ||
	fail unit_execstart "ExecStart runs '$daemon', not the installed $PREFIX/sbin/url-enforcer"

# PREFIX moves the binary the unit starts, and the unit with it.
alt=$TMP/alt
if out=$(make -s -C "$TOP" BUILD="$BUILD" DESTDIR="$alt" PREFIX=/usr install 2>&1) &&
	grep -q 'exec /usr/sbin/url-enforcer ' "$alt/usr/lib/systemd/system/url-enforcer.service"; then
	ok unit_prefix
else
	fail unit_prefix "PREFIX=/usr: $(echo "$out" | tail -2 | tr '\n' ' ')"
fi

# ---- an edited /etc/default file survives a reinstall ----
echo 'UE_INTERFACES="br-test"' >> "$ROOT/etc/default/url-enforcer"
make_install install >/dev/null
grep -q 'br-test' "$ROOT/etc/default/url-enforcer" && ok defaults_kept ||
	fail defaults_kept "make install overwrote /etc/default/url-enforcer"

# ---- bash completion ----
comp=$ROOT$PREFIX/share/bash-completion/completions/urlctl
check completion_syntax bash -n "$comp"
mkdir -p "$TMP/cwd" && touch "$TMP/cwd/home.rules" "$TMP/cwd/school.rules"
# complete WORDS...: what completing the last word offers, sorted, one line
complete_words() {
	# the installed urlctl says what to offer
	(cd "$TMP/cwd" && PATH=$ROOT$PREFIX/sbin:$PATH bash -c '. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_urlctl; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$comp" "$@")
}
expect_completion() {    # EXPECTED WORDS...
	local want=$1 got; shift
	got=$(complete_words "$@")
	[ "$got" = "$want" ] || echo "'$*' offers '$got', not '$want'"
}
problems=$(
	expect_completion 'mode ' urlctl mo
	expect_completion 'apply blocks check fleet help mode pause paused publish report resume services stats status test unblock web ' urlctl ''
	expect_completion '--help --json --policy -p ' urlctl services -
	expect_completion 'stats status ' urlctl -s /run/x.sock st
	expect_completion 'audit enforce ' urlctl mode ''
	expect_completion 'all ' urlctl unblock a
	expect_completion '--help --json --prometheus ' urlctl stats --
	expect_completion '--help --json ' urlctl blocks -
	expect_completion 'home.rules school.rules ' urlctl check ''
	expect_completion 'school.rules ' urlctl apply s
	expect_completion 'home.rules school.rules ' urlctl test -p ''
	expect_completion '--client --ech --help --method --policy --quic --time --verbose -p -v ' urlctl test -
	expect_completion 'GET ' urlctl test --method G
	expect_completion 'home.rules school.rules ' urlctl test --policy ''
	expect_completion ' ' urlctl test --client ''    # nothing: any address
	expect_completion 'test ' urlctl help t
	expect_completion '--help --socket --version -V -h -s ' urlctl -
)
[ -z "$problems" ] && ok completion || fail completion "$(echo "$problems" | tr '\n' ';')"

# ---- uninstall leaves only the admin's settings ----
if out=$(make_install uninstall); then
	left=$(cd "$ROOT" && find . -type f | sort | tr '\n' ' ')
	[ "$left" = "./etc/default/url-enforcer " ] && ok uninstall ||
		fail uninstall "left behind: $left"
else
	fail uninstall "$(echo "$out" | tail -3 | tr '\n' ' ')"
fi
exit 0
