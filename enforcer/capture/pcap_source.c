/* Offline input from a capture file; see pcap_source.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "enforcer/capture/pcap_source.h"

static int link_of(int dlt, enum decode_link *link)
{
	switch (dlt) {
	case DLT_EN10MB:
		*link = DECODE_LINK_ETHERNET;
		return 0;
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		*link = DECODE_LINK_RAW;
		return 0;
	case DLT_LINUX_SLL:
		*link = DECODE_LINK_SLL;
		return 0;
	case DLT_LINUX_SLL2:
		*link = DECODE_LINK_SLL2;
		return 0;
	default:
		return -EINVAL;
	}
}

#define READ_BUFFER (1 << 20)

pcap_t *pcap_source_open(const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	FILE *f = fopen(path, "rb");
	pcap_t *pc;

	if (!f) {
		log_warn("%s", path);
		return NULL;
	}
	/* stdio allocates the buffer; fclose (by pcap_close) frees it */
	setvbuf(f, NULL, _IOFBF, READ_BUFFER);
	pc = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, err);
	if (!pc) {
		log_warnx("%s: %s", path, err);
		fclose(f);
	}
	return pc;
}

int pcap_source_run(const char *path, frame_fn fn, void *arg)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	struct frame fr = { .verify_csum = true };
	pcap_t *pc;
	int rc;

	pc = pcap_source_open(path);
	if (!pc)
		return -EINVAL;
	if (link_of(pcap_datalink(pc), &fr.link)) {
		log_warnx("%s: link type %s is not supported (Ethernet, raw IP, Linux cooked are)",
			  path, pcap_datalink_val_to_name(pcap_datalink(pc)) ?: "unknown");
		pcap_close(pc);
		return -EINVAL;
	}
	while ((rc = pcap_next_ex(pc, &hdr, &data)) == 1) {
		fr.data = data;
		fr.caplen = hdr->caplen;
		fr.wirelen = hdr->len;
		fr.ts.tv_sec = hdr->ts.tv_sec;
		fr.ts.tv_nsec = hdr->ts.tv_usec;   /* nanoseconds: the precision asked for */
		fn(arg, &fr);
	}
	if (rc == PCAP_ERROR) {
		log_warnx("%s: %s", path, pcap_geterr(pc));
		pcap_close(pc);
		return -EINVAL;
	}
	pcap_close(pc);
	return 0;
}
