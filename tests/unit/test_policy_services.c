/*
 * `service` rules: lists found beside the policy before the installed
 * ones, several services in one rule, positioned errors, the listing
 * `urlctl services` prints, and the shipped lists themselves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness.h"
#include "tests/unit/policy_fixture.h"

static const char *decide(struct policy *p, const char *sni)
{
	static char out[64];
	struct match_scratch *s = match_scratch_new();
	struct test_request t;
	struct decision d;

	req_tls(&t, sni, "10.0.0.2", 0);
	policy_match(p, &t.r, 0, s, &d);
	snprintf(out, sizeof(out), "%s %s", policy_action_name(d.action),
		 d.rule && d.rule->id ? d.rule->id : "-");
	match_scratch_free(s);
	return out;
}

/* An "installed" folder inside the fixture, named by the environment. */
static void installed(void)
{
	char dir[4096];

	fixture_write("installed/games.list", "# installed\ngames.example\n");
	snprintf(dir, sizeof(dir), "%s", fixture_write("installed/video.list",
						       "video.example\nclips.example\n"));
	*strrchr(dir, '/') = 0;
	setenv("URL_ENFORCER_SERVICES", dir, 1);
}

void test_policy_service_rules(void)
{
	char *diag;

	fixture_dir();
	installed();
	/* beside the policy: overrides the installed "video", adds "chat" */
	fixture_write("services/video.list", "tube.example\n");
	fixture_write("services/chat.list", "chat.example\n");
	struct policy *p = fixture_load("t.rules",
		"allow domain ok.tube.example id=exception\n"
		"block service games,video id=two\n"
		"block service chat id=chat\n", &diag);

	ASSERT_NONNULL(p);
	ASSERT_STREQ(diag, "");
	ASSERT_STREQ(decide(p, "games.example"), "block two");
	ASSERT_STREQ(decide(p, "www.games.example"), "block two");
	ASSERT_STREQ(decide(p, "tube.example"), "block two");
	ASSERT_STREQ(decide(p, "ok.tube.example"), "allow exception");
	ASSERT_STREQ(decide(p, "video.example"), "allow -");    /* overridden */
	ASSERT_STREQ(decide(p, "chat.example"), "block chat");
	ASSERT_STREQ(decide(p, "xgames.example"), "allow -");   /* label boundary */
	policy_free(p);
	free(diag);
	unsetenv("URL_ENFORCER_SERVICES");
}

void test_policy_service_errors(void)
{
	char *diag;

	fixture_dir();
	installed();
	struct policy *p = fixture_load("t.rules",
		"block service games,nosuch,video\n"
		"block service\n"
		"block service games,b@d\n", &diag);

	ASSERT_NULL(p);
	char expected[2048];

	snprintf(expected, sizeof(expected),
		 "t.rules:1:21: error: unknown service \"nosuch\" (none in services/ beside the "
		 "rule file nor in installed; urlctl services lists them)\n"
		 "t.rules:2:15: error: service needs NAME[,NAME...]\n"
		 "t.rules:3:21: error: bad service name \"b@d\" (letters, digits, - and _)\n");
	ASSERT_STREQ(diag, expected);
	free(diag);
	unsetenv("URL_ENFORCER_SERVICES");
}

struct listing {
	char text[512];
};

static int list_one(const char *name, const char *path, unsigned long domains, void *arg)
{
	struct listing *l = arg;
	const char *where = strstr(path, "/installed/") ? "installed" : "beside";

	snprintf(l->text + strlen(l->text), sizeof(l->text) - strlen(l->text), "%s=%lu(%s) ",
		 name, domains, where);
	return 0;
}

void test_policy_services_listing(void)
{
	struct listing l = { "" };

	fixture_dir();
	installed();
	fixture_write("services/video.list", "tube.example\n");
	fixture_write("services/not-a-list.txt", "x.example\n");
	const char *rules = fixture_write("t.rules", "default allow\n");

	ASSERT_OK(policy_services(rules, list_one, &l));
	ASSERT_STREQ(l.text, "games=1(installed) video=1(beside) ");
	l.text[0] = 0;
	ASSERT_OK(policy_services(NULL, list_one, &l));
	ASSERT_STREQ(l.text, "games=1(installed) video=2(installed) ");
	unsetenv("URL_ENFORCER_SERVICES");
}

/* The lists the project ships (examples/services, also installed as the service lists): every one loads clean. */
void test_policy_services_shipped(void)
{
	static const char *const names[] = {
		"youtube", "tiktok", "instagram", "facebook", "snapchat", "whatsapp", "discord",
		"roblox", "fortnite", "minecraft", "twitch", "netflix", "reddit", "x", "steam",
		"telegram", "spotify",
	};
	char rules[1024] = "block service ", *diag;

	fixture_dir();
	setenv("URL_ENFORCER_SERVICES", "examples/services", 1);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		snprintf(rules + strlen(rules), sizeof(rules) - strlen(rules), "%s%s", i ? "," : "",
			 names[i]);
	strcat(rules, " id=all\n");
	struct policy *p = fixture_load("t.rules", rules, &diag);

	ASSERT_NONNULL(p);
	ASSERT_STREQ(diag, "");
	ASSERT_STREQ(decide(p, "www.youtube.com"), "block all");
	ASSERT_STREQ(decide(p, "rr3---sn-abc.googlevideo.com"), "block all");
	ASSERT_STREQ(decide(p, "www.tiktok.com"), "block all");
	ASSERT_STREQ(decide(p, "web.roblox.com"), "block all");
	ASSERT_STREQ(decide(p, "www.wikipedia.org"), "allow -");
	policy_free(p);
	free(diag);
	unsetenv("URL_ENFORCER_SERVICES");
}
