/* See fanout_id.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/unit/fanout_id.h"

#define UNIQUE_HASH ((int)((unsigned)(PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_UNIQUEID) << 16))
#define TRIES 5

/* A unique id taken by a socket that receives (protocol ETH_P_ALL): the id, or -errno. */
static int take_unique_id(void)
{
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	int arg = UNIQUE_HASH, err = 0;
	socklen_t len = sizeof(arg);

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) ||
	    getsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, &len))
		err = -errno;
	close(fd);                  /* gives the id back; the counter stays past it */
	return err ? err : arg & 0xffff;
}

/*
 * The kernel picks a unique id before it checks that the socket receives:
 * on a socket that does not (protocol 0), each attempt fails with EINVAL
 * yet moves the counter one id on, cheaply and without an id held.
 */
static int skip_unique_ids(unsigned n)
{
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	int arg = UNIQUE_HASH, err = 0;

	if (fd < 0)
		return -errno;
	for (unsigned i = 0; i < n && !err; i++)
		if (!setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) ||
		    errno != EINVAL)
			err = errno ? -errno : -EPROTO;
	close(fd);
	return err;
}

int fanout_next_unique_id_zero(void)
{
	for (int t = 0; t < TRIES; t++) {
		int id = take_unique_id(), err;

		if (id < 0)
			return id;
		if (id == 0xffff)
			return 0;
		/* up to 0xfffe, then take 0xffff to see it is where we think */
		if ((err = skip_unique_ids(0xfffe - id)))
			return err;
		if ((id = take_unique_id()) == 0xffff)
			return 0;
		if (id < 0)
			return id;
	}
	return -EAGAIN;
}
