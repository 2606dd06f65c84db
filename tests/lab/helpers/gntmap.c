/* SPDX-License-Identifier: GPL-2.0 */
/* Lab helper (dom0 side): map grant <gref> of domain <domid> through
 * /dev/xen/gntdev, check the pattern written by gntshare, write a reply, bind
 * an interdomain event channel to <port>, ping the peer, wait for its answer
 * and unmap.
 *   usage: gntmap <domid> <gref> <port> [tag]   exit 0 iff all checks passed */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <fcntl.h>
#include <unistd.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
typedef uint16_t domid_t;
typedef uint32_t grant_ref_t;
#include <xen/gntdev.h>
#include <xen/evtchn.h>

int main(int argc, char **argv)
{
	struct ioctl_gntdev_map_grant_ref m = { .count = 1 };
	struct ioctl_gntdev_unmap_grant_ref u = { .count = 1 };
	struct ioctl_evtchn_bind_interdomain b;
	struct ioctl_evtchn_notify n;
	struct pollfd pf;
	volatile uint32_t *p;
	int domid, rport, fd, efd, lport, bad = 0, i;
	const char *tag;
	char msg[64];
	uint32_t gref, ev;

	if (argc < 4) { fprintf(stderr, "usage: %s domid gref port [tag]\n", argv[0]); return 1; }
	domid = atoi(argv[1]); gref = strtoul(argv[2], NULL, 0); rport = atoi(argv[3]);
	tag = argc > 4 ? argv[4] : "domU";
	fd = open("/dev/xen/gntdev", O_RDWR);
	if (fd < 0) { perror("open /dev/xen/gntdev"); return 1; }
	m.refs[0].domid = domid; m.refs[0].ref = gref;
	if (ioctl(fd, IOCTL_GNTDEV_MAP_GRANT_REF, &m)) { perror("IOCTL_GNTDEV_MAP_GRANT_REF"); return 1; }
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, m.index);
	if (p == MAP_FAILED) { perror("mmap gntdev"); return 1; }
	for (i = 0; i < 512; i++)
		bad += p[i] != 0xC0DE0000u + i;
	snprintf(msg, sizeof(msg), "hello-from-%s", tag);
	bad += !!strcmp((const char *)&p[512], msg);
	printf("gntmap: dom%d gref %u: word[0]=0x%08x msg='%.60s' mismatches=%d\n",
	       domid, gref, p[0], (const char *)&p[512], bad);
	p[0] = 0xD0D0D0D0u;
	snprintf((char *)&p[768], 64, "reply-to-%s", tag);

	efd = open("/dev/xen/evtchn", O_RDWR);
	if (efd < 0) { perror("open /dev/xen/evtchn"); return 1; }
	b.remote_domain = domid; b.remote_port = rport;
	lport = ioctl(efd, IOCTL_EVTCHN_BIND_INTERDOMAIN, &b);
	if (lport < 0) { perror("IOCTL_EVTCHN_BIND_INTERDOMAIN"); return 1; }
	n.port = lport;
	if (ioctl(efd, IOCTL_EVTCHN_NOTIFY, &n)) { perror("IOCTL_EVTCHN_NOTIFY"); return 1; }
	printf("gntmap: bound port %d <-> dom%d:%d, pinged\n", lport, domid, rport);
	fflush(stdout);
	pf.fd = efd; pf.events = POLLIN;
	if (poll(&pf, 1, 60000) <= 0 || read(efd, &ev, sizeof(ev)) != sizeof(ev)) {
		printf("gntmap: TIMEOUT waiting for the peer's event\n");
		return 3;
	}
	if (write(efd, &ev, sizeof(ev)) != sizeof(ev))
		return 1;
	printf("gntmap: event back from dom%d on port %u\n", domid, ev);
	munmap((void *)p, 4096);
	u.index = m.index;
	if (ioctl(fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &u)) { perror("IOCTL_GNTDEV_UNMAP_GRANT_REF"); bad++; }
	printf("gntmap: %s\n", bad ? "FAILED" : "PASSED");
	return bad ? 2 : 0;
}
