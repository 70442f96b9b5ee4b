/* Senders whose TCP checksums a capture shows left to offload; see csum_offload.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "enforcer/stream/csum_offload.h"
#include "enforcer/stream/decode.h"
#include "enforcer/stream/reasm.h"

struct direction_key {
	struct in6_addr src, dst;
	uint16_t sport, dport;
};

struct direction {
	struct direction_key key;
	uint32_t good_high;     /* end of the furthest data with a right checksum */
	uint32_t bad_end;       /* end of data beyond it with a wrong one */
	bool used, have_good, have_bad;
};

_Static_assert(sizeof(struct direction_key) == 36, "no padding in the hashed key");

struct csum_offload {
	struct port_set http_ports, tls_ports;
	struct direction *slots;
	unsigned cap, used;     /* cap a power of 2, kept at most half full */
	struct in6_addr senders[CSUM_OFFLOAD_MAX_SENDERS];
	unsigned n_senders;
};

#define INITIAL_CAP 1024u

struct csum_offload *csum_offload_new(const struct port_set *http_ports,
				       const struct port_set *tls_ports)
{
	struct csum_offload *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->http_ports = *http_ports;
	o->tls_ports = *tls_ports;
	o->cap = INITIAL_CAP;
	o->slots = calloc(o->cap, sizeof(*o->slots));
	if (!o->slots) {
		free(o);
		return NULL;
	}
	return o;
}

void csum_offload_free(struct csum_offload *o)
{
	if (!o)
		return;
	free(o->slots);
	free(o);
}

static uint32_t key_hash(const struct direction_key *k)
{
	uint64_t w[4], h = (uint64_t)k->sport << 16 | k->dport;

	memcpy(w, k, sizeof(w));            /* the two addresses */
	for (int i = 0; i < 4; i++) {
		h = (h ^ w[i]) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	return (uint32_t)(h >> 32);
}

/* The slot of K, or the free slot where it would go. */
static struct direction *slot_of(struct direction *slots, unsigned cap,
				 const struct direction_key *k)
{
	for (uint32_t i = key_hash(k) & (cap - 1);; i = (i + 1) & (cap - 1))
		if (!slots[i].used || !memcmp(&slots[i].key, k, sizeof(*k)))
			return &slots[i];
}

static int grow(struct csum_offload *o)
{
	unsigned cap = o->cap * 2;
	struct direction *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (unsigned i = 0; i < o->cap; i++)
		if (o->slots[i].used)
			*slot_of(slots, cap, &o->slots[i].key) = o->slots[i];
	free(o->slots);
	o->slots = slots;
	o->cap = cap;
	return 0;
}

/* The direction's state; NULL when it is not followed (none yet and CREATE
 * false, or the table is full). */
static struct direction *direction_find(struct csum_offload *o, const struct direction_key *k,
					bool create)
{
	struct direction *d = slot_of(o->slots, o->cap, k);

	if (d->used || !create)
		return d->used ? d : NULL;
	if (o->used >= CSUM_OFFLOAD_MAX_DIRECTIONS)
		return NULL;
	if (2 * (o->used + 1) > o->cap) {
		if (grow(o))
			return NULL;
		d = slot_of(o->slots, o->cap, k);
	}
	memset(d, 0, sizeof(*d));
	d->key = *k;
	d->used = true;
	o->used++;
	return d;
}

static void sender_proven(struct csum_offload *o, const struct in6_addr *a)
{
	for (unsigned i = 0; i < o->n_senders; i++)
		if (!memcmp(&o->senders[i], a, sizeof(*a)))
			return;
	if (o->n_senders < CSUM_OFFLOAD_MAX_SENDERS)
		o->senders[o->n_senders++] = *a;
}

static uint32_t seq_max(uint32_t a, uint32_t b)
{
	return seq_before(a, b) ? b : a;
}

/* Data from K's sender, its checksum right or not. */
static void on_data(struct csum_offload *o, const struct direction_key *k,
		    const struct packet *pkt, bool csum_ok)
{
	struct direction *d = direction_find(o, k, true);
	uint32_t end = pkt->seq + pkt->payload_len;

	if (!d)
		return;
	if (csum_ok) {
		d->good_high = d->have_good ? seq_max(d->good_high, end) : end;
		d->have_good = true;
		if (d->have_bad && !seq_before(d->good_high, d->bad_end))
			d->have_bad = false;    /* its right copy came after all */
	} else if (!d->have_good || seq_after(end, d->good_high)) {
		d->bad_end = d->have_bad ? seq_max(d->bad_end, end) : end;
		d->have_bad = true;
	}
}

/* An acknowledgement from K's receiver, whatever its own checksum: the
 * peer may leave its checksums to offload too. */
static void on_ack(struct csum_offload *o, const struct direction_key *k, uint32_t ack)
{
	struct direction *d = direction_find(o, k, false);

	if (!d || !d->have_bad || seq_before(ack, d->bad_end))
		return;
	d->have_bad = false;
	sender_proven(o, &k->src);
}

static bool tapped(const struct csum_offload *o, uint16_t port)
{
	return port_set_has(&o->http_ports, port) || port_set_has(&o->tls_ports, port);
}

void csum_offload_frame(void *arg, const struct frame *fr)
{
	struct csum_offload *o = arg;
	struct packet pkt;
	struct direction_key k;

	if (decode_packet(fr->link, fr->data, fr->caplen, fr->wirelen, CSUM_VERIFY, &pkt) !=
	    DECODE_TCP)
		return;
	/* only what the pipeline verifies: client->server data, to a tapped port */
	if (pkt.payload_len && tapped(o, pkt.dport)) {
		k = (struct direction_key){ pkt.src, pkt.dst, pkt.sport, pkt.dport };
		on_data(o, &k, &pkt, decode_tcp_csum_ok(&pkt));
	}
	if ((pkt.tcp_flags & TCP_ACK) && tapped(o, pkt.sport)) {
		k = (struct direction_key){ pkt.dst, pkt.src, pkt.dport, pkt.sport };
		on_ack(o, &k, pkt.ack);
	}
}

unsigned csum_offload_senders(const struct csum_offload *o, const struct in6_addr **senders)
{
	*senders = o->senders;
	return o->n_senders;
}
