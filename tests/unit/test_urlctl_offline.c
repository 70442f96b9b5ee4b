/*
 * urlctl's offline commands and exit codes, run as the user runs them:
 * check and test -p on the shipped examples, usage errors, and the daemon
 * commands reporting an unreachable daemon.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/harness.h"
#include "tests/unit/policy_fixture.h"

/* Runs "$BUILD/urlctl ARGS" (stderr too) into OUT; its exit status. */
static int urlctl(char *out, size_t size, const char *args)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	char cmd[1024];
	size_t len = 0;

	snprintf(cmd, sizeof(cmd), "%s/urlctl %s 2>&1", build, args);
	FILE *p = popen(cmd, "r");

	ASSERT_NONNULL(p);
	while (len + 1 < size && fgets(out + len, size - len, p))
		len += strlen(out + len);
	out[len] = 0;
	int status = pclose(p);

	ASSERT_TRUE(WIFEXITED(status));
	return WEXITSTATUS(status);
}

void test_urlctl_check(void)
{
	char out[4096], args[512];

	ASSERT_EQ(urlctl(out, sizeof(out), "check examples/parental.rules"), 0);
	ASSERT_TRUE(strstr(out, "examples/parental.rules: ok: "));
	ASSERT_EQ(urlctl(out, sizeof(out), "check examples/office-audit.rules"), 0);
	fixture_dir();
	snprintf(args, sizeof(args), "check %s",
		 fixture_write("bad.rules", "block url ok\nblock url (\n"));
	ASSERT_EQ(urlctl(out, sizeof(out), args), 1);
	ASSERT_TRUE(strstr(out, "bad.rules:2:11: error: bad regex: missing closing parenthesis"));
	ASSERT_EQ(urlctl(out, sizeof(out), "check"), 2);
	ASSERT_EQ(urlctl(out, sizeof(out), "check a b"), 2);
}

/* check counts the regexes that run on every URL, names the first five
 * with FILE:LINE, and warns from ten on. */
void test_urlctl_check_every_url(void)
{
	char out[8192], args[512], want[512], rules[2048] = "block url ^https?://[^/]*tracker\n";
	size_t len = strlen(rules);
	const char *path;

	for (int i = 0; i < 12; i++)           /* lines 2-13: furniture only */
		len += snprintf(rules + len, sizeof(rules) - len, "block url ^https?://[a-z]{%d}\\.com/\n",
				i + 1);
	fixture_dir();
	path = fixture_write("every.rules", rules);
	snprintf(args, sizeof(args), "check %s", path);
	ASSERT_EQ(urlctl(out, sizeof(out), args), 0);
	ASSERT_TRUE(strstr(out, "13 regexes, 1 of them prefiltered"));
	snprintf(want, sizeof(want), "%s: 12 regexes run on every URL", path);
	ASSERT_TRUE(strstr(out, want));
	snprintf(want, sizeof(want), "\n  %s:2\n  %s:3\n  %s:4\n  %s:5\n  %s:6\n  and 7 more\n",
		 path, path, path, path, path);
	ASSERT_TRUE(strstr(out, want));
	snprintf(want, sizeof(want), "%s: warning: 12 regexes run on every URL", path);
	ASSERT_TRUE(strstr(out, want));
	/* two: named, no warning */
	path = fixture_write("two.rules", "block url /ads?/\nblock url ^https?://\nlog url www\\. id=w\n");
	snprintf(args, sizeof(args), "check %s", path);
	ASSERT_EQ(urlctl(out, sizeof(out), args), 0);
	snprintf(want, sizeof(want), "%s: 2 regexes run on every URL", path);
	ASSERT_TRUE(strstr(out, want));
	snprintf(want, sizeof(want), "\n  %s:2\n  %s:3 id=w\n", path, path);
	ASSERT_TRUE(strstr(out, want));
	ASSERT_TRUE(!strstr(out, "warning"));
	ASSERT_TRUE(!strstr(out, "more"));
	/* none: not a word about it */
	snprintf(args, sizeof(args), "check %s", fixture_write("none.rules", "block url /ads?/\n"));
	ASSERT_EQ(urlctl(out, sizeof(out), args), 0);
	ASSERT_TRUE(strstr(out, "1 of them prefiltered"));
	ASSERT_TRUE(!strstr(out, "every URL"));
}

/* test -v: the rules whose regex ran for the URL, in order, then the decision. */
void test_urlctl_test_verbose(void)
{
	char out[4096], args[512], want[1024];
	const char *path;

	fixture_dir();
	path = fixture_write("v.rules", "block url ^https?://[^/]*tracker\n"
			     "log url ^https?:// id=all\nblock url /ads?/\nblock domain x.example\n");
	snprintf(args, sizeof(args), "test -p %s -v http://x.example/ads/a.js", path);
	ASSERT_EQ(urlctl(out, sizeof(out), args), 0);
	/* line 1 waits on "tracker", absent; line 2 runs on every URL */
	snprintf(want, sizeof(want), "http     GET http://x.example/ads/a.js\n"
		 "ran      %s:2 id=all\nran      %s:3\nlog      %s:2 id=all\n"
		 "block    %s:3 response=drop\n", path, path, path, path);
	ASSERT_TRUE(strstr(out, want));
	snprintf(args, sizeof(args), "test -p %s http://x.example/ads/a.js", path);
	ASSERT_EQ(urlctl(out, sizeof(out), args), 0);
	ASSERT_TRUE(!strstr(out, "ran "));
	ASSERT_EQ(urlctl(out, sizeof(out), "test -v http://x.example/"), 2);
	ASSERT_TRUE(strstr(out, "-v needs -p"));
}

void test_urlctl_test_offline(void)
{
	char out[4096];

	ASSERT_EQ(urlctl(out, sizeof(out), "test -p examples/parental.rules --client 192.168.1.34 "
			 "--time '2026-11-24 15:30' http://WWW.YouTube.com/shorts/abc"), 0);
	ASSERT_TRUE(strstr(out, "http     GET http://www.youtube.com/shorts/abc\n"));
	ASSERT_TRUE(strstr(out, "block    examples/parental.rules:"));
	ASSERT_TRUE(strstr(out, " id=shorts response=page\n"));
	/* the same child at bedtime: the earlier bedtime rule decides */
	ASSERT_EQ(urlctl(out, sizeof(out), "test -p examples/parental.rules --client 192.168.1.34 "
			 "--time '2026-11-24 22:30' http://www.youtube.com/shorts/abc"), 0);
	ASSERT_TRUE(strstr(out, " id=bedtime response=page\n"));
	/* https: judged as the ClientHello the daemon would see */
	ASSERT_EQ(urlctl(out, sizeof(out), "test -p examples/parental.rules --client 192.168.1.34 "
			 "--time '2026-11-24 15:30' https://www.roblox.com/games"), 0);
	ASSERT_TRUE(strstr(out, "tls      https://www.roblox.com/\n"));
	ASSERT_TRUE(strstr(out, " id=kids-list "));
	ASSERT_EQ(urlctl(out, sizeof(out), "test -p examples/office-audit.rules --client 10.20.3.4 "
			 "--method POST 'http://example.com/login?password=x'"), 0);
	ASSERT_TRUE(strstr(out, "log      examples/office-audit.rules:"));
	ASSERT_TRUE(strstr(out, "allow    default\n"));
}

void test_urlctl_exit_codes(void)
{
	char out[4096];
	static const char *const commands[] = {
		"check FILE", "test [-p FILE [-v]]", "apply FILE", "status [--json]",
		"stats [--json|--prometheus]", "blocks [--json]", "unblock all|IP",
		"mode enforce|audit",
	};

	ASSERT_EQ(urlctl(out, sizeof(out), "--help"), 0);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		ASSERT_TRUE(strstr(out, commands[i]));
	ASSERT_EQ(urlctl(out, sizeof(out), "help"), 0);
	ASSERT_TRUE(strstr(out, "mode enforce|audit"));
	ASSERT_EQ(urlctl(out, sizeof(out), ""), 2);
	ASSERT_EQ(urlctl(out, sizeof(out), "frobnicate"), 2);
	ASSERT_EQ(urlctl(out, sizeof(out), "test -p examples/parental.rules --client nope "
			 "http://x/"), 2);
	ASSERT_EQ(urlctl(out, sizeof(out), "test -p examples/parental.rules --time 'tomorrow' "
			 "http://x/"), 2);
	ASSERT_EQ(urlctl(out, sizeof(out), "test -p examples/parental.rules"), 2);
	ASSERT_EQ(urlctl(out, sizeof(out), "test -p /nonexistent.rules http://x/"), 1);
	ASSERT_EQ(urlctl(out, sizeof(out), "-s /nonexistent/ctl.sock test http://x/"), 3);
	ASSERT_TRUE(strstr(out, "/nonexistent/ctl.sock"));
	ASSERT_EQ(urlctl(out, sizeof(out), "-s /nonexistent/ctl.sock status"), 3);
}
