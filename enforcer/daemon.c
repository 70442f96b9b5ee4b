/*
 * The live daemon (-i): set-up in an order that never leaves an interface
 * half-served, the main loop (signals, control socket, conntrack, a 1 s
 * tick), policy swaps that never leave the workers without a policy, and a
 * teardown that leaves no filter behind. See daemon.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "enforcer/daemon.h"
#include "common/state_file.h"
#include "enforcer/libbpf_log.h"
#include "common/log.h"
#include "enforcer/capture/port_set.h"
#include "enforcer/privileges.h"

#define LOCK_DIR "/run/url-enforcer"
#define PIN_DIR "/sys/fs/bpf/url-enforcer"      /* blocks that outlive a crash */

void daemon_rejudge(struct daemon *d)
{
	atomic_fetch_add(&d->rejudge_gen, 1);
}

/* Client prefixes on their way to a kernel set: at most MAX. */
struct prefix_set {
	struct client_prefix p[UE_QUIC_MAX_PREFIXES > UE_PAUSE_MAX_PREFIXES ?
			       UE_QUIC_MAX_PREFIXES : UE_PAUSE_MAX_PREFIXES];
	size_t n, max;
};

static int prefix_collect(const struct in6_addr *prefix, unsigned len, void *arg)
{
	struct prefix_set *q = arg;

	if (q->n == q->max)
		return -E2BIG;
	q->p[q->n++] = (struct client_prefix){ .addr = *prefix, .len = len };
	return 0;
}

/* The clients whose QUIC the TC programs drop now: `block quic` rules whose window is open. */
static void update_quic_clients(struct daemon *d, time_t now)
{
	static struct prefix_set q;
	int err;

	q = (struct prefix_set){ .max = UE_QUIC_MAX_PREFIXES };
	if (policy_quic_clients(atomic_load(&d->policy), now, prefix_collect, &q))
		log_warnx("block quic: more than %d client prefixes, the rest are not blocked",
			  UE_QUIC_MAX_PREFIXES);
	if ((err = blocklist_quic_clients_set(d->bl, q.p, q.n)))
		log_warnx("block quic: updating the kernel's client set: %s", strerror(-err));
}

void daemon_update_cutoffs(struct daemon *d, time_t now)
{
	static struct prefix_set q;
	static struct pause snap[PAUSES_MAX];
	unsigned n;
	int err;

	q = (struct prefix_set){ .max = UE_PAUSE_MAX_PREFIXES };
	err = policy_cutoff_clients(atomic_load(&d->policy), now, prefix_collect, &q);
	pauses_snapshot(&d->pauses, snap, &n);
	for (unsigned i = 0; i < n && !err; i++)
		for (unsigned j = 0; j < snap[i].n && !err; j++)
			err = prefix_collect(&snap[i].prefixes[j].addr, snap[i].prefixes[j].len, &q);
	if (err)
		log_warnx("block all and pauses: more than %d client prefixes, the rest are "
			  "not cut off", UE_PAUSE_MAX_PREFIXES);
	if ((err = blocklist_paused_clients_set(d->bl, q.p, q.n)))
		log_warnx("block all and pauses: updating the kernel's client set: %s",
			  strerror(-err));
}

/* Swap NEWP in; free the old one once no worker can still be matching with it. */
static void swap_policy(struct daemon *d, struct policy *newp)
{
	struct policy *old = atomic_exchange(&d->policy, newp);
	uint64_t gen = atomic_fetch_add(&d->policy_gen, 1) + 1;
	struct timespec now;

	for (unsigned i = 0; i < d->n_workers; i++)
		while (atomic_load(&d->workers[i].seen_gen) < gen && d->workers[i].pipe)
			usleep(5000);
	policy_free(old);
	clock_gettime(CLOCK_REALTIME, &now);
	d->next_change = policy_next_change(newp, now.tv_sec);
	update_quic_clients(d, now.tv_sec);
	daemon_update_cutoffs(d, now.tv_sec);
	daemon_rejudge(d);
}

/* P, compiled, replaces the policy in force. */
static void install_policy(struct daemon *d, struct policy *p)
{
	policy_label_rules(p, rule_labels_intern, d->labels);
	/* the old policy's path (SIGHUP's) is freed by the swap: log the new one's */
	log_info("policy %s in force", policy_path(p));
	swap_policy(d, p);
	d->counters.reloads++;
}

int daemon_reload(struct daemon *d, const char *path, int reply_fd)
{
	char *diag = NULL;
	size_t diag_len = 0;
	FILE *f = open_memstream(&diag, &diag_len);
	struct policy *p = f ? policy_load(path, f) : NULL;

	if (f)
		fclose(f);
	for (char *line = diag ? strtok(diag, "\n") : NULL; line; line = strtok(NULL, "\n")) {
		if (reply_fd >= 0)
			control_send_msg(reply_fd, "%s", line);
		else
			log_warnx("%s", line);
	}
	free(diag);
	if (!p) {
		d->counters.reload_failures++;
		log_warnx("%s: invalid, the policy in force stays", path);
		return -EINVAL;
	}
	install_policy(d, p);
	return 0;
}

/* This network namespace's inode: names what is ours in places shared by all. */
static unsigned long netns_id(void)
{
	struct stat ns;

	return stat("/proc/self/ns/net", &ns) ? 0 : (unsigned long)ns.st_ino;
}

/* Refuses an interface another instance serves (in this network namespace). */
static int lock_interface(int ifindex, const char *ifname)
{
	char path[128];
	int fd;

	mkdir(LOCK_DIR, 0755);
	snprintf(path, sizeof(path), LOCK_DIR "/if-%lu-%d.lock", netns_id(), ifindex);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		fatal("%s", path);
	if (flock(fd, LOCK_EX | LOCK_NB))
		fatalx("%s: another url-enforcer already serves this interface", ifname);
	return fd;
}

struct sweep {
	struct daemon *d;
	uint64_t now_ns, idle_ns;     /* CLOCK_MONOTONIC, as the kernel stamps */
};

static int sweep_one(const struct flow_tuple *t, const struct ue_block_value *v, void *arg)
{
	struct sweep *s = arg;

	if (s->now_ns - v->last_hit_ns > s->idle_ns &&
	    !blocklist_remove(s->d->bl, t, blocklist_entry_proto(v)))
		s->d->counters.blocks_expired++;
	return 0;
}

/* Idle blocks go: the map is read in batches (blocklist_foreach), one
 * syscall more only for each entry removed. */
static void sweep(struct daemon *d)
{
	struct sweep s = { .d = d, .idle_ns = (uint64_t)d->o->idle_timeout * 1000000000ull };
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	s.now_ns = now.tv_sec * 1000000000ull + now.tv_nsec;
	blocklist_foreach(d->bl, sweep_one, &s);
}

static void on_session_end(void *arg, const struct flow_tuple *t)
{
	struct daemon *d = arg;

	if (!blocklist_remove(d->bl, t, IPPROTO_TCP))   /* conntrack follows TCP only */
		d->counters.blocks_ended++;
}

static void tick(struct daemon *d)
{
	struct timespec now;

	blocklist_heartbeat_renew(d->bl);
	sweep(d);
	clock_gettime(CLOCK_REALTIME, &now);
	if (d->next_change && now.tv_sec >= d->next_change) {
		log_info("a time window opened or closed: judging open sessions again");
		d->next_change = policy_next_change(atomic_load(&d->policy), now.tv_sec);
		update_quic_clients(d, now.tv_sec);
		daemon_update_cutoffs(d, now.tv_sec);
		daemon_rejudge(d);
	}
	/* the report's state: a crash loses at most a minute of it */
	if (now.tv_sec - d->report_saved >= REPORT_SAVE_INTERVAL) {
		report_save(&d->report);
		d->report_saved = now.tv_sec;
	}
	if (pauses_expire(&d->pauses, now.tv_sec)) {
		log_info("a pause ended");
		daemon_update_cutoffs(d, now.tv_sec);
	}
}

static void setup(struct daemon *d)
{
	const struct options *o = d->o;
	struct blocklist_config bcfg = {
		.max_entries = o->blocklist_size, .http_ports = o->http_ports,
		.tls_ports = o->tls_ports, .fail_closed = o->fail_closed, .hold = o->hold,
	};
	struct tap_rings rings = { .bytes = o->ring_size };
	char pin_path[128];
	struct policy *p;
	int err;

	snprintf(pin_path, sizeof(pin_path), PIN_DIR "/blocklist-%lu", netns_id());
	bcfg.pin_path = pin_path;
	libbpf_log_init();
	if (o->nats_servers) {
		struct fleet_config fc = {
			.nats = { .servers = o->nats_servers, .creds = o->nats_creds,
				  .ca = o->nats_ca, .client_name = o->name },
			.name = o->name, .state_dir = o->state_dir, .version = UE_VERSION,
			.spool_max = o->nats_spool,
		};

		d->fleet = fleet_open(&fc);
		if (!d->fleet)
			fatal("%s/fleet", o->state_dir);
	}
	/* a fleet's last bundle, else the -p file */
	p = d->fleet ? fleet_load_last(d->fleet) : NULL;
	if (!p && !(p = policy_load(o->policy_path, stderr)))
		fatalx("%s: invalid policy, not starting", o->policy_path);
	d->labels = rule_labels_new();
	if (!d->labels)
		fatal("rule labels");
	policy_label_rules(p, rule_labels_intern, d->labels);
	atomic_store(&d->policy, p);
	d->next_change = policy_next_change(p, time(NULL));
	for (unsigned i = 0; i < o->n_interfaces; i++) {
		d->ifindex[i] = if_nametoindex(o->interfaces[i]);
		if (!d->ifindex[i])
			fatalx("%s: no such interface", o->interfaces[i]);
		d->lock_fds[i] = lock_interface(d->ifindex[i], o->interfaces[i]);
	}
	if ((err = control_open(&d->ctl, o->socket_path)))
		fatalx("%s: %s", o->socket_path, err == -EADDRINUSE ?
		       "another url-enforcer answers there" : strerror(-err));
	d->log = decision_log_open(o->log_path, DECISION_LOG_QUEUE_DEFAULT);
	if (!d->log)
		fatal("%s", o->log_path);
	if (d->fleet)
		decision_log_tee(d->log, decision_stream_line, fleet_decisions(d->fleet));
	d->n_workers = o->workers ? o->workers : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	rings.count = d->n_workers;
	d->tap = tap_prog_load(&o->http_ports, &o->tls_ports,
			       o->capture == CAPTURE_BPF_RING ? &rings : NULL);
	if (!d->tap)
		fatal("loading the tap program");
	bcfg.unrecorded_fd = tap_prog_unrecorded_fd(d->tap);
	if ((err = injector_open(&d->inj)))
		fatalx("raw sockets for resets and block pages: %s", strerror(-err));
	if ((err = tc_remove_stale()) > 0)
		log_info("removed %d stale filters of a previous run", err);
	d->bl = blocklist_open(&bcfg);
	if (!d->bl)
		fatal("loading the blocklist programs");
	if ((err = blocklist_pin_status(d->bl)) == 1)
		log_info("%s: blocks of a previous run kept", pin_path);
	else if (err < 0)
		log_info("%s: %s: blocks will not outlive a crash", pin_path,
			 err == -EINVAL ? "no BPF file system" : strerror(-err));
	update_quic_clients(d, time(NULL));
	if ((err = state_dir_prepare(o->state_dir)))
		log_warnx("%s: %s: pauses will not outlive a restart", o->state_dir,
			  strerror(-err));
	if ((err = pauses_init(&d->pauses, err ? NULL : o->state_dir, time(NULL))))
		log_warnx("%s/%s: %s: no pause restored", o->state_dir, PAUSES_FILE,
			  strerror(-err));
	else if (d->pauses.n)
		log_info("%u pause%s restored from %s", d->pauses.n, d->pauses.n == 1 ? "" : "s",
			 o->state_dir);
	daemon_update_cutoffs(d, time(NULL));
	if ((err = report_init(&d->report, d->pauses.state_dir)) == -ENOMEM)
		fatalx("the report: out of memory");
	else if (err)
		log_warnx("%s/%s: %s: the report starts anew", o->state_dir, REPORT_FILE,
			  err == -EINVAL ? "not a report of this version" : strerror(-err));
	d->hold.fd = -1;
	if (o->hold && (err = hold_open(&d->hold, d->bl, &o->http_ports, &o->tls_ports,
					d->ifindex, o->n_interfaces)))
		fatalx("--hold: the socket that releases held segments: %s", strerror(-err));
	for (unsigned i = 0; i < o->n_interfaces; i++)
		if ((err = blocklist_attach(d->bl, d->ifindex[i])))
			fatalx("%s: attaching the TC programs: %s", o->interfaces[i], strerror(-err));
	if ((err = conntrack_watch_open(&d->ct, on_session_end, d)))
		log_info("conntrack unavailable (%s): blocks end by the idle sweep", strerror(-err));
	d->ct_open = !err;
}

/*
 * --capture tpacket: a TPACKET_V3 block reaches its worker when full or
 * when its retire timer fires: the timer bounds how long a quiet request
 * waits for its verdict, so it is the shortest the kernel offers (1 ms).
 * Blocks of 128 KiB hold a 64 KiB GRO packet whole; 64 of them (8 MiB a
 * socket) give the worker 64 ms of slack even when every block retires
 * after 1 ms.
 */
static const struct capture_opts capture_tuning = {
	.block_size = 128 << 10, .block_count = 64, .retire_ms = 1,
};

static struct capture_opts capture_opts_for(const struct options *o)
{
	struct capture_opts c = capture_tuning;

	/* --hold: every request waits on its frames; even 1 ms of retirement is too long */
	c.per_frame = o->capture == CAPTURE_FRAME || (o->hold && o->capture == CAPTURE_TPACKET);
	c.hook_only = o->capture == CAPTURE_BPF_RING;
	return c;
}

static void start_workers(struct daemon *d)
{
	const struct options *o = d->o;
	struct fanout_group groups[OPTIONS_MAX_INTERFACES] = { 0 };
	struct capture_opts copts = capture_opts_for(o);
	const struct worker_env env = {
		.o = o, .policy = &d->policy, .policy_gen = &d->policy_gen,
		.rejudge_gen = &d->rejudge_gen, .audit = &d->audit, .stop = &d->stop,
		.bl = d->bl, .inj = &d->inj, .hold = &d->hold, .log = d->log, .pauses = &d->pauses,
		.report = &d->report,
	};
	int err;

	d->workers = calloc(d->n_workers, sizeof(*d->workers));
	if (!d->workers)
		fatal("workers");
	for (unsigned w = 0; w < d->n_workers; w++) {
		for (unsigned i = 0; i < o->n_interfaces; i++) {
			d->workers[w].caps[i] = capture_open(o->interfaces[i], tap_prog_fd(d->tap),
							     &groups[i], &copts);
			if (!d->workers[w].caps[i])
				fatal("%s: capture", o->interfaces[i]);
		}
		if (o->capture == CAPTURE_BPF_RING &&
		    !(d->workers[w].ring = tap_ring_open(tap_prog_ring_fd(d->tap, w),
							       tap_prog_ring_sleeping(d->tap, w))))
			fatal("worker %u: its BPF ring", w);
	}
	privileges_drop();
	for (unsigned w = 0; w < d->n_workers; w++)
		if ((err = worker_start(&d->workers[w], &env, w)))
			fatalx("worker %u: %s", w, strerror(-err));
}

static void teardown(struct daemon *d)
{
	int err;

	atomic_store(&d->stop, true);
	for (unsigned w = 0; d->workers && w < d->n_workers; w++) {
		worker_join(&d->workers[w]);
		for (unsigned i = 0; i < d->o->n_interfaces; i++)
			capture_close(d->workers[w].caps[i]);
		tap_ring_close(d->workers[w].ring);
	}
	free(d->workers);
	blocklist_close(d->bl);           /* detaches from every interface */
	hold_close(&d->hold);
	tap_prog_destroy(d->tap);
	if (d->ct_open)
		conntrack_watch_close(&d->ct);
	injector_close(&d->inj);
	control_close(&d->ctl);
	fleet_close(d->fleet);
	decision_log_close(d->log);
	pauses_release(&d->pauses);
	if ((err = report_save(&d->report)))
		log_warnx("%s/%s: %s: the report since the last save is lost", d->o->state_dir,
			  REPORT_FILE, strerror(-err));
	report_release(&d->report);
	policy_free(atomic_load(&d->policy));
	if (d->ctl_scratch)
		match_scratch_free(d->ctl_scratch);
	rule_labels_free(d->labels);
	for (unsigned i = 0; i < d->o->n_interfaces; i++)
		close(d->lock_fds[i]);
}

static int epoll_add(int ep, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

/* Returns when SIGINT or SIGTERM arrives. */
static void main_loop(struct daemon *d)
{
	struct itimerspec every_second = { { 1, 0 }, { 1, 0 } };
	int ep = epoll_create1(EPOLL_CLOEXEC), sfd, tfd;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (ep < 0 || sfd < 0 || tfd < 0 || timerfd_settime(tfd, 0, &every_second, NULL) ||
	    epoll_add(ep, sfd) || epoll_add(ep, tfd) || epoll_add(ep, d->ctl.listen_fd) ||
	    (d->ct_open && epoll_add(ep, conntrack_watch_fd(&d->ct))) ||
	    (d->fleet && epoll_add(ep, fleet_offer_fd(d->fleet))))
		fatal("main loop");
	for (;;) {
		struct epoll_event ev[8];
		int n = epoll_wait(ep, ev, 8, -1);

		for (int i = 0; i < n; i++) {
			int fd = ev[i].data.fd;

			if (fd == sfd) {
				struct signalfd_siginfo si;

				if (read(sfd, &si, sizeof(si)) != sizeof(si))
					continue;
				if (si.ssi_signo == SIGHUP)
					daemon_reload(d, policy_path(atomic_load(&d->policy)), -1);
				else if (si.ssi_signo == SIGUSR1)
					decision_log_reopen(d->log);
				else
					goto out;
			} else if (fd == tfd) {
				uint64_t ticks;

				if (read(tfd, &ticks, sizeof(ticks)) == sizeof(ticks))
					tick(d);
			} else if (fd == d->ctl.listen_fd) {
				control_serve(&d->ctl);
			} else if (d->fleet && fd == fleet_offer_fd(d->fleet)) {
				struct policy *p = fleet_offer_take(d->fleet);

				if (p) {
					install_policy(d, p);
					fleet_offer_done(d->fleet);
				}
			} else if (d->ct_open) {
				conntrack_watch_read(&d->ct);
			}
		}
	}
out:
	close(tfd);
	close(sfd);
	close(ep);
}

int daemon_run(const struct options *o)
{
	static struct daemon d;
	sigset_t set;
	int err;

	d.o = o;
	d.started = time(NULL);
	atomic_store(&d.audit, o->audit);
	/* Workers inherit this mask: signals reach the main loop's signalfd only. */
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	setup(&d);
	daemon_ctl_register(&d);
	start_workers(&d);
	if (d.fleet && (err = fleet_start(d.fleet)))
		fatalx("fleet: %s", strerror(-err));
	log_info("enforcing on %u interface(s) with %u worker(s), mode %s, policy %s",
		 o->n_interfaces, d.n_workers, o->audit ? "audit" : "enforce", o->policy_path);
	main_loop(&d);
	log_info("stopping: detaching from every interface");
	teardown(&d);
	return 0;
}
