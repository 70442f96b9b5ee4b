/*
 * urlctl pause, resume and paused (urlctl(8)): the pause table changes,
 * then at once the kernel's client set and a re-judgement of open
 * sessions, so a pause starts on every session the client has open.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "enforcer/daemon.h"

static int group_collect(const struct in6_addr *addr, unsigned len, void *arg)
{
	struct target_prefixes *t = arg;

	if (t->n == PAUSE_PREFIXES_MAX)
		return -E2BIG;
	t->p[t->n++] = (struct prefix){ .addr = *addr, .len = len };
	return 0;
}

int daemon_target_prefixes(struct daemon *d, int fd, const char *target, struct target_prefixes *t)
{
	const char *why;
	int err;

	t->n = 0;
	if (target[0] == '@') {
		err = policy_group(atomic_load(&d->policy), target + 1, group_collect, t);
		if (err == -ENOENT)
			control_send_msg(fd, "no group \"%s\" in the policy in force", target + 1);
		else if (err)
			control_send_msg(fd, "group \"%s\" has more than %d prefixes", target + 1,
					 PAUSE_PREFIXES_MAX);
		return err;
	}
	if (prefix_parse(target, strlen(target), &t->p[0], &why)) {
		control_send_msg(fd, "%s: %s (an address, a prefix or @GROUP)", target, why);
		return -EINVAL;
	}
	t->n = 1;
	return 0;
}

static int pause_row(int fd, const char *target, const char *by, const char *rule_id,
		     const struct prefix *pf, unsigned n, time_t since, time_t until)
{
	static struct ctl_msg m;
	char clients[PAUSE_PREFIXES_MAX * 48] = "";
	size_t used = 0;

	for (unsigned i = 0; i < n && used < sizeof(clients); i++) {
		char one[64];

		prefix_format(&pf[i], one, sizeof(one));
		used += snprintf(clients + used, sizeof(clients) - used, "%s%s", i ? "," : "", one);
	}
	ctl_msg_init(&m, CTL_REC_ROW);
	ctl_msg_add_str(&m, "target", target);
	ctl_msg_add_str(&m, "clients", clients);
	ctl_msg_add_str(&m, "by", by);
	if (rule_id)
		ctl_msg_add_str(&m, "rule_id", rule_id);
	else
		ctl_msg_add_null(&m, "rule_id");
	if (since)
		ctl_msg_add_u64(&m, "since", since);
	else
		ctl_msg_add_null(&m, "since");
	if (until)
		ctl_msg_add_u64(&m, "until", until);
	else
		ctl_msg_add_null(&m, "until");
	return ctl_msg_send(fd, &m);
}

static int on_pause(void *arg, int fd, const uint8_t *args, const uint8_t *end)
{
	struct daemon *d = arg;
	const char *target = NULL, *until_text = NULL;
	struct target_prefixes t;
	time_t now = time(NULL), until;
	char *rest;
	int err;

	if (ctl_arg_next(&args, end, &target) != 1 || ctl_arg_next(&args, end, &until_text) != 1)
		return CTL_USAGE;
	until = strtoll(until_text, &rest, 10);
	if (*rest || until < 0 || (until && until <= now)) {
		control_send_msg(fd, "pause: the end %s is not in the future", until_text);
		return CTL_USAGE;
	}
	if (daemon_target_prefixes(d, fd, target, &t))
		return CTL_USAGE;
	err = pauses_add(&d->pauses, target, t.p, t.n, now, until);
	if (err == -ENOSPC || err == -EINVAL) {
		control_send_msg(fd, "pause %s: %s", target, err == -ENOSPC ?
				 "too many pauses" : "target name too long");
		return CTL_FAILED;
	}
	if (err)
		control_send_msg(fd, "pause %s: saving in %s: %s: it will not outlive a restart",
				 target, d->o->state_dir, strerror(-err));
	daemon_update_cutoffs(d, now);
	daemon_rejudge(d);
	log_info("pause %s until %s", target, until ? until_text : "resumed");
	return pause_row(fd, target, "pause", NULL, t.p, t.n, now, until) ? CTL_FAILED : CTL_OK;
}

static int on_resume(void *arg, int fd, const uint8_t *args, const uint8_t *end)
{
	static struct ctl_msg m;
	struct daemon *d = arg;
	const char *target = NULL;
	unsigned removed;

	if (ctl_arg_next(&args, end, &target) != 1)
		return CTL_USAGE;
	if (pauses_remove(&d->pauses, target, &removed))
		control_send_msg(fd, "resume %s: the pause file could not be saved", target);
	daemon_update_cutoffs(d, time(NULL));
	log_info("resume %s: %u pause%s ended", target, removed, removed == 1 ? "" : "s");
	ctl_msg_init(&m, CTL_REC_ROW);
	ctl_msg_add_u64(&m, "resumed", removed);
	return ctl_msg_send(fd, &m) ? CTL_FAILED : CTL_OK;
}

static int cutoff_row(const struct rule_info *rule, const struct prefix *clients, unsigned n,
		      time_t until, void *arg)
{
	char target[512];

	snprintf(target, sizeof(target), "%s:%u", rule->file, rule->line);
	return pause_row(*(int *)arg, target, "rule", rule->id, clients, n, 0, until);
}

static int on_paused(void *arg, int fd, const uint8_t *args, const uint8_t *end)
{
	static struct pause snap[PAUSES_MAX];
	struct daemon *d = arg;
	unsigned n;

	(void)args, (void)end;
	pauses_snapshot(&d->pauses, snap, &n);
	for (unsigned i = 0; i < n; i++)
		if (pause_row(fd, snap[i].target, "pause", NULL, snap[i].prefixes, snap[i].n,
			      snap[i].since, snap[i].until))
			return CTL_FAILED;
	return policy_cutoff_rules(atomic_load(&d->policy), time(NULL), cutoff_row, &fd) ?
	       CTL_FAILED : CTL_OK;
}

void daemon_pause_register(struct daemon *d)
{
	d->ctl.handlers[CTL_REQ_PAUSE] = on_pause;
	d->ctl.handlers[CTL_REQ_RESUME] = on_resume;
	d->ctl.handlers[CTL_REQ_PAUSED] = on_paused;
}
