/* See fanout_id.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/unit/fanout_id.h"

#define UNIQUE_HASH ((int)((unsigned)(PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_UNIQUEID) << 16))
#define TRIES 20

/* A socket that receives (protocol ETH_P_ALL), so it may join a group. */
static int receiving_socket(void)
{
	return socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
}

/* The unique id the kernel gives FD, or -errno. FD keeps it until closed. */
static int take_unique_id(int fd)
{
	int arg = UNIQUE_HASH;
	socklen_t len = sizeof(arg);

	if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) ||
	    getsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, &len))
		return -errno;
	return arg & 0xffff;
}

/*
 * The kernel picks a unique id before it checks that the socket receives:
 * on a socket that does not (protocol 0), each attempt fails with EINVAL
 * yet moves the counter one id on, cheaply and without an id held.
 */
static int skip_unique_ids(int fd, unsigned n)
{
	int arg = UNIQUE_HASH;

	for (unsigned i = 0; i < n; i++)
		if (!setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) ||
		    errno != EINVAL)
			return errno ? -errno : -EPROTO;
	return 0;
}

/*
 * One try: take an id X, skip to 0xfffe, take 0xffff; the counter is then
 * at 0. The sockets are closed only afterwards: a close waits for an RCU
 * grace period, a window in which other processes could take ids.
 */
static int try_once(void)
{
	int first = receiving_socket(), last = receiving_socket();
	int idle = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	int id, err = 0;

	if (first < 0 || last < 0 || idle < 0) {
		err = -errno;
		goto out;
	}
	id = take_unique_id(first);
	if (id < 0 || id == 0xffff) {
		err = id < 0 ? id : 0;
		goto out;
	}
	if ((err = skip_unique_ids(idle, 0xfffe - id)))
		goto out;
	id = take_unique_id(last);
	err = id < 0 ? id : id == 0xffff ? 0 : -EAGAIN;
out:
	if (first >= 0)
		close(first);
	if (last >= 0)
		close(last);
	if (idle >= 0)
		close(idle);
	return err;
}

int fanout_next_unique_id_zero(void)
{
	int err = -EAGAIN;

	for (int t = 0; t < TRIES && err == -EAGAIN; t++)
		err = try_once();
	return err;
}
