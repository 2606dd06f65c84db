/* SPDX-License-Identifier: GPL-2.0 */
/* Lab helper (domU side): share one page with domain <peer> through
 * /dev/xen/gntalloc, allocate an unbound event channel for the peer through
 * /dev/xen/evtchn, print "gref=<g> port=<p>", then wait for the peer's event,
 * check the peer's reply in the page and notify the peer back; finally wait
 * for EOF on stdin (the caller's signal that the peer unmapped the page)
 * before releasing the grant.
 *   usage: gntshare <peer-domid> [tag]     exit 0 iff the peer's reply was seen */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <fcntl.h>
#include <unistd.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
/* the uapi xen headers use these kernel-internal typedefs */
typedef uint16_t domid_t;
typedef uint32_t grant_ref_t;
#include <xen/gntalloc.h>
#include <xen/evtchn.h>

static int wait_event(int efd, int ms)
{
	struct pollfd pf = { .fd = efd, .events = POLLIN };
	uint32_t ev;

	if (poll(&pf, 1, ms) <= 0 || read(efd, &ev, sizeof(ev)) != sizeof(ev))
		return -1;
	if (write(efd, &ev, sizeof(ev)) != sizeof(ev))	/* unmask */
		return -1;
	return (int)ev;
}

int main(int argc, char **argv)
{
	int peer = argc > 1 ? atoi(argv[1]) : 0;
	const char *tag = argc > 2 ? argv[2] : "domU";
	struct ioctl_gntalloc_alloc_gref a = { .domid = peer, .flags = GNTALLOC_FLAG_WRITABLE, .count = 1 };
	struct ioctl_evtchn_bind_unbound_port ub = { .remote_domain = peer };
	struct ioctl_evtchn_notify n;
	volatile uint32_t *p;
	int gfd, efd, port, ok, i;
	char want[64];

	gfd = open("/dev/xen/gntalloc", O_RDWR);
	if (gfd < 0) { perror("open /dev/xen/gntalloc"); return 1; }
	if (ioctl(gfd, IOCTL_GNTALLOC_ALLOC_GREF, &a)) { perror("IOCTL_GNTALLOC_ALLOC_GREF"); return 1; }
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, gfd, a.index);
	if (p == MAP_FAILED) { perror("mmap gntalloc"); return 1; }
	for (i = 0; i < 512; i++)
		p[i] = 0xC0DE0000u + i;
	snprintf((char *)&p[512], 64, "hello-from-%s", tag);

	efd = open("/dev/xen/evtchn", O_RDWR);
	if (efd < 0) { perror("open /dev/xen/evtchn"); return 1; }
	port = ioctl(efd, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &ub);
	if (port < 0) { perror("IOCTL_EVTCHN_BIND_UNBOUND_PORT"); return 1; }
	printf("gref=%u port=%d\n", a.gref_ids[0], port);
	fflush(stdout);

	if (wait_event(efd, 120000) < 0) { printf("gntshare: no event from peer\n"); return 3; }
	snprintf(want, sizeof(want), "reply-to-%s", tag);
	ok = p[0] == 0xD0D0D0D0u && !strcmp((const char *)&p[768], want);
	printf("gntshare: event received; word[0]=0x%08x reply='%.60s' -> %s\n",
	       p[0], (const char *)&p[768], ok ? "OK" : "BAD");
	n.port = port;
	if (ioctl(efd, IOCTL_EVTCHN_NOTIFY, &n)) { perror("IOCTL_EVTCHN_NOTIFY"); return 1; }
	fflush(stdout);
	/* keep the grant alive until the peer has unmapped it: the caller
	 * closes our stdin then (relayed through xenstore by the lab scripts) */
	{
		struct pollfd pf = { .fd = 0, .events = POLLIN };
		char c;

		while (poll(&pf, 1, 60000) > 0 && read(0, &c, 1) > 0)
			;
	}
	printf("gntshare: releasing the grant\n");
	return ok ? 0 : 2;
}
