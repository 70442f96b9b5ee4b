#!/usr/bin/env bash
# The man pages document what the binaries accept: every long option that
# `url-enforcer --help` prints appears in url-enforcer(8), every command that
# `urlctl --help` lists has its own entry in urlctl(8), and so does every
# option of `urlctl COMMAND --help`.
. "$(dirname "$0")/lib.sh"
need mandoc

DOCS=$TOP/docs

# The page as a reader sees it (overstrike bold and underline removed).
rendered() { mandoc -T ascii "$1" | sed 's/.\x08//g'; }

# HELP_TEXT PAGE: the long options of HELP_TEXT that PAGE never mentions.
missing_options() {
	local text opt
	text=$(rendered "$2")
	for opt in $(grep -o -- '--[a-z][a-z0-9-]*' <<<"$1" | sort -u); do
		grep -qE -- "(^|[^a-z0-9-])$opt([^a-z0-9-]|$)" <<<"$text" || echo "$opt"
	done
}

# HELP_TEXT PAGE: the commands of HELP_TEXT (lines "  NAME ...") that have no
# entry in PAGE: no ".It Ic NAME", nor ".Ic NAME" right after ".It Xo".
missing_commands() {
	local cmd
	for cmd in $(sed -n 's/^  \([a-z][a-z-]*\)\( .*\)\{0,1\}$/\1/p' <<<"$1" | sort -u); do
		awk -v cmd="$cmd" '
			$1 == ".It" && $2 == "Ic" && $3 == cmd { found = 1 }
			xo && $1 == ".Ic" && $2 == cmd { found = 1 }
			{ xo = ($1 == ".It" && $2 == "Xo") }
			END { exit !found }' "$2" || echo "$cmd"
	done
}

# The checks must be able to fail: a help text naming what no page has.
canary=$(printf '  --policy FILE\n      --no-such-option N\n')
got=$(missing_options "$canary" "$DOCS/url-enforcer.8" | tr '\n' ' ')
[ "$got" = "--no-such-option " ] && ok options_canary ||
	fail options_canary "expected only --no-such-option missing, got '$got'"
canary=$(printf 'usage: urlctl [-s SOCKET] COMMAND ...\n  check FILE    validate\n  frobnicate X  no such command\n')
got=$(missing_commands "$canary" "$DOCS/urlctl.8" | tr '\n' ' ')
[ "$got" = "frobnicate " ] && ok commands_canary ||
	fail commands_canary "expected only frobnicate missing, got '$got'"

# BINARY: sets HELP to its --help; 1 (with a FAIL line) when it prints nothing.
help_of() {
	HELP=$("$BUILD/$1" --help 2>&1)
	[ -n "$HELP" ] || { fail "$1" "build/$1 --help printed nothing"; return 1; }
}

if [ ! -x "$BUILD/url-enforcer" ] || [ ! -x "$BUILD/urlctl" ]; then
	fail binaries "build/url-enforcer or build/urlctl missing (make)"
	exit 1
fi

if help_of url-enforcer; then
	missing=$(missing_options "$HELP" "$DOCS/url-enforcer.8" | tr '\n' ' ')
	[ -z "$missing" ] && ok url-enforcer_options ||
		fail url-enforcer_options "not in docs/url-enforcer.8: $missing"
fi

if help_of urlctl; then
	missing=$(missing_commands "$HELP" "$DOCS/urlctl.8" | tr '\n' ' ')
	[ -z "$missing" ] && ok urlctl_commands ||
		fail urlctl_commands "not in docs/urlctl.8: $missing"
	missing=$(missing_options "$HELP" "$DOCS/urlctl.8" | tr '\n' ' ')
	[ -z "$missing" ] && ok urlctl_options ||
		fail urlctl_options "not in docs/urlctl.8: $missing"
	# and each command's own --help
	missing=
	for cmd in $("$BUILD/urlctl" help --words | sed -n 's/^: //p'); do
		for opt in $(missing_options "$("$BUILD/urlctl" "$cmd" --help)" "$DOCS/urlctl.8"); do
			missing+="$cmd $opt; "
		done
	done
	[ -z "$missing" ] && ok urlctl_command_options ||
		fail urlctl_command_options "not in docs/urlctl.8: $missing"
fi
exit 0
