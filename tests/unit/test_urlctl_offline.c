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
		"check FILE", "test [-p FILE]", "apply FILE", "status [--json]",
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
