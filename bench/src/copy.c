// SPDX-License-Identifier: GPL-2.0
/*
 * Copy baseline: the exporter pushes the bytes of its filled buffer through
 * a libxenvchan channel; the importer receives them into a buffer it
 * prepared beforehand (allocated and faulted in) and reads the last byte.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "bench.h"

/* Exporter: one measurement; @us is the exporter's wall time to DONE. */
int copy_latency(struct bench *b, uint64_t size, int verify, uint8_t *src,
		 uint64_t seed, double *us)
{
	struct bench_msg m;
	uint64_t t0, t1;
	int ret;

	msg_send(b, BOP_COPY, verify ? BF_VERIFY : 0, size, seed, NULL);
	ret = msg_expect(b, BOP_READY, &m);
	if (ret)
		return ret;
	t0 = now_ns();
	ret = vc_write_all(b->data, src, size, b->timeout_ms);
	if (ret)
		bdie("copy: sending %llu bytes: %s", (unsigned long long)size,
		     strerror(-ret));
	msg_expect(b, BOP_DONE, &m);
	t1 = now_ns();
	if (m.val[0] != bpat_byte(size - 1, seed))
		bdie("copy %llu: importer read last byte 0x%02llx, sent 0x%02x",
		     (unsigned long long)size, (unsigned long long)m.val[0],
		     bpat_byte(size - 1, seed));
	if (verify) {
		msg_expect(b, BOP_VERIFIED, &m);
		if (m.val[0])
			bdie("copy %llu: importer got wrong bytes at offset %llu",
			     (unsigned long long)size,
			     (unsigned long long)m.val[0] - 1);
	}
	*us = (double)(t1 - t0) / 1000.0;
	return 0;
}

/* Importer side of copy_latency(). */
int copy_latency_peer(struct bench *b, const struct bench_msg *cmd)
{
	uint64_t size = cmd->size, val[4] = { 0 };
	volatile uint8_t *last;
	uint8_t *buf;
	int ret;

	buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED)
		return msg_error(b, -errno);
	msg_send(b, BOP_READY, 0, 0, 0, NULL);
	ret = vc_read_all(b->data, buf, size, b->timeout_ms);
	if (ret)
		bdie("copy: receiving %llu bytes: %s", (unsigned long long)size,
		     strerror(-ret));
	last = buf + size - 1;
	val[0] = *last;
	msg_send(b, BOP_DONE, 0, 0, 0, val);
	if (cmd->flags & BF_VERIFY) {
		val[0] = bpat_check(buf, size, cmd->arg);
		msg_send(b, BOP_VERIFIED, 0, 0, 0, val);
	}
	munmap(buf, size);
	return 0;
}
