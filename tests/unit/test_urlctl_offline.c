/*
 * urlctl's offline commands and exit codes, run as the user runs them:
 * check and test -p on the shipped examples, usage errors, and the daemon
 * commands reporting an unreachable daemon.
 */
#include <stdbool.h>
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
	ASSERT_TRUE(strstr(out, " id=apps "));       /* a service rule, before the list */
	ASSERT_EQ(urlctl(out, sizeof(out), "test -p examples/office-audit.rules --client 10.20.3.4 "
			 "--method POST 'http://example.com/login?password=x'"), 0);
	ASSERT_TRUE(strstr(out, "log      examples/office-audit.rules:"));
	ASSERT_TRUE(strstr(out, "allow    default\n"));
}

void test_urlctl_exit_codes(void)
{
	char out[4096];
	static const char *const commands[] = {
		"check FILE", "test [-p FILE] [-v]", "apply FILE", "status [--json]",
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

/* OUT is exactly one line: text, then one newline at its end. */
static bool one_line(const char *out)
{
	const char *nl = strchr(out, '\n');

	return nl && nl > out && nl[1] == 0;
}

void test_urlctl_usage_errors_one_line(void)
{
	static const struct {
		const char *args, *message;
	} cases[] = {
		{ "", "urlctl: no command (see urlctl --help)\n" },
		{ "frobnicate", "urlctl: unknown command \"frobnicate\" (see urlctl --help)\n" },
		{ "-x status", "urlctl: unknown option -x (see urlctl --help)\n" },
		{ "--bogus status", "urlctl: unknown option --bogus (see urlctl --help)\n" },
		{ "-s", "urlctl: -s needs a value (see urlctl --help)\n" },
		{ "mode foo", "urlctl mode: \"foo\" is not one of enforce|audit "
			      "(see urlctl mode --help)\n" },
		{ "mode", "urlctl mode: missing enforce|audit (see urlctl mode --help)\n" },
		{ "mode audit now", "urlctl mode: unexpected argument \"now\" (see urlctl mode --help)\n" },
		{ "unblock", "urlctl unblock: missing all|IP (see urlctl unblock --help)\n" },
		{ "apply", "urlctl apply: missing FILE (see urlctl apply --help)\n" },
		{ "check", "urlctl check: missing FILE (see urlctl check --help)\n" },
		{ "check a b", "urlctl check: unexpected argument \"b\" (see urlctl check --help)\n" },
		{ "status --bogus", "urlctl status: unknown option --bogus (see urlctl status --help)\n" },
		{ "status extra", "urlctl status: unexpected argument \"extra\" "
				  "(see urlctl status --help)\n" },
		{ "blocks --prometheus", "urlctl blocks: unknown option --prometheus "
					 "(see urlctl blocks --help)\n" },
		{ "stats --json --prometheus", "urlctl stats: --json and --prometheus exclude each "
					       "other (see urlctl stats --help)\n" },
		{ "test", "urlctl test: missing URL (see urlctl test --help)\n" },
		{ "test -q http://x/", "urlctl test: unknown option -q (see urlctl test --help)\n" },
		{ "test http://x/ --client", "urlctl test: --client needs a value "
					     "(see urlctl test --help)\n" },
		{ "test -p", "urlctl test: -p needs a value (see urlctl test --help)\n" },
		{ "test --client nope http://x/", "urlctl test: \"http://x/\": --client takes an "
			"IPv4 or IPv6 address (see urlctl test --help)\n" },
		{ "test --time tomorrow http://x/", "urlctl test: --time takes 'YYYY-MM-DD HH:MM' "
			"(local time), not \"tomorrow\" (see urlctl test --help)\n" },
		{ "test ftp://x/", "urlctl test: \"ftp://x/\": only http:// and https:// URLs can be "
			"tested (see urlctl test --help)\n" },
		{ "test x.example/", "urlctl test: \"x.example/\": only http:// and https:// URLs "
			"can be tested (see urlctl test --help)\n" },
		{ "test http://x:99999/", "urlctl test: \"http://x:99999/\": the port is not a "
			"number from 1 to 65535 (see urlctl test --help)\n" },
		{ "test https://[::1]:0/", "urlctl test: \"https://[::1]:0/\": the port is not a "
			"number from 1 to 65535 (see urlctl test --help)\n" },
		{ "test --method POST https://x/", "urlctl test: \"https://x/\": --method does not "
			"apply to https: a ClientHello has none (see urlctl test --help)\n" },
		{ "test --quic http://x/", "urlctl test: \"http://x/\": --quic and --ech describe a "
			"ClientHello: they need an https:// URL (see urlctl test --help)\n" },
		{ "test --ech https://10.0.0.1/", "urlctl test: \"https://10.0.0.1/\": --ech needs a "
			"host name: an ECH ClientHello names its public name (see urlctl test --help)\n" },
		{ "fleet", "urlctl fleet: --nats URL is needed (see urlctl fleet --help)\n" },
		{ "publish --nats nats://127.0.0.1:1", "urlctl publish: missing FILE "
			"(see urlctl publish --help)\n" },
		{ "help frobnicate", "urlctl help: no command \"frobnicate\" (see urlctl help --help)\n" },
	};
	char out[4096];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* no daemon is asked: a usage error is found before */
		char args[512];

		snprintf(args, sizeof(args), "-s /nonexistent/ctl.sock %s", cases[i].args);
		if (!strncmp(cases[i].args, "-", 1) || !cases[i].args[0])
			snprintf(args, sizeof(args), "%s", cases[i].args);
		ASSERT_EQ(urlctl(out, sizeof(out), args), 2);
		ASSERT_TRUE(one_line(out));
		ASSERT_STREQ(out, cases[i].message);
	}
}

void test_urlctl_every_command_help(void)
{
	char words[1024], out[4096], again[4096], args[128], want[128];
	char *names, *save = NULL;
	unsigned n = 0;

	ASSERT_EQ(urlctl(words, sizeof(words), "help --words"), 0);
	names = strstr(words, "\n: ");
	ASSERT_NONNULL(names);
	for (char *name = strtok_r(names + 3, " \n", &save); name; name = strtok_r(NULL, " \n", &save)) {
		snprintf(args, sizeof(args), "%s --help", name);
		ASSERT_EQ(urlctl(out, sizeof(out), args), 0);
		snprintf(want, sizeof(want), "usage: urlctl %s", name);
		ASSERT_EQ(strncmp(out, want, strlen(want)), 0);
		ASSERT_TRUE(strstr(out, "--help"));
		snprintf(args, sizeof(args), "help %s", name);      /* the same text */
		ASSERT_EQ(urlctl(again, sizeof(again), args), 0);
		ASSERT_STREQ(again, out);
		n++;
	}
	ASSERT_TRUE(n >= 10);
	/* check reads no file called --help; test names itself in full */
	ASSERT_EQ(urlctl(out, sizeof(out), "check --help"), 0);
	ASSERT_EQ(strncmp(out, "usage: urlctl check FILE\n", 25), 0);
	ASSERT_EQ(urlctl(out, sizeof(out), "test --help"), 0);
	ASSERT_EQ(strncmp(out, "usage: urlctl test [-p FILE]", 28), 0);
	ASSERT_EQ(urlctl(out, sizeof(out), "help mode"), 0);
	ASSERT_EQ(strncmp(out, "usage: urlctl mode enforce|audit\n", 33), 0);
	ASSERT_EQ(urlctl(out, sizeof(out), "--version"), 0);
	ASSERT_STREQ(out, "urlctl " UE_VERSION "\n");
	ASSERT_EQ(urlctl(out, sizeof(out), "-V"), 0);
	ASSERT_STREQ(out, "urlctl " UE_VERSION "\n");
}

void test_urlctl_test_client_hello_kinds(void)
{
	static const struct {
		const char *args, *request, *decision;
	} cases[] = {
		/* QUIC: `block quic` for its clients, the name's rules for the others */
		{ "--quic --client 10.9.1.1 https://x.example/", "quic     https://x.example/\n",
		  " id=quic-kids " },
		{ "--quic https://named.example/", "quic     https://named.example/\n", " id=named " },
		/* the same over TCP: TLS, and `block quic` does not apply */
		{ "--client 10.9.1.1 https://x.example/", "tls      https://x.example/\n",
		  "allow    default\n" },
		/* an address: no SNI */
		{ "https://10.1.2.3/", "tls      https://10.1.2.3/\n", " id=no-sni " },
		{ "https://[FD00::1]:8443/x", "tls      https://[fd00::1]:8443/\n", " id=no-sni " },
		/* ECH, by the built-in public name */
		{ "--ech https://cloudflare-ech.com/", "tls      https://cloudflare-ech.com/\n", " id=ech " },
		{ "https://cloudflare-ech.com/", "tls      https://cloudflare-ech.com/\n",
		  "allow    default\n" },
		/* the extension with another name is GREASE to the rules */
		{ "--ech https://x.example/", "tls      https://x.example/\n", "allow    default\n" },
		{ "--ech --quic https://cloudflare-ech.com/", "quic     https://cloudflare-ech.com/\n",
		  " id=ech " },
	};
	char out[4096], args[512];
	const char *rules;

	fixture_dir();
	rules = fixture_write("kinds.rules",
			      "block quic client=10.9.0.0/16 id=quic-kids\n"
			      "block tls no-sni id=no-sni\n"
			      "block tls ech id=ech\n"
			      "block host ^named\\.example$ id=named\n");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(args, sizeof(args), "test -p %s %s", rules, cases[i].args);
		ASSERT_EQ(urlctl(out, sizeof(out), args), 0);
		ASSERT_EQ(strncmp(out, cases[i].request, strlen(cases[i].request)), 0);
		ASSERT_TRUE(strstr(out, cases[i].decision));
	}
}
