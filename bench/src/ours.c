// SPDX-License-Identifier: GPL-2.0
/*
 * hyper_dmabuf: the exporter's filled udmabuf buffer is exported to the peer
 * (HYPER_DMABUF_IOCTL_EXPORT on the Xen backend), the handle goes over the
 * control channel, the importer imports it (HYPER_DMABUF_IOCTL_IMPORT),
 * mmaps the dma-buf and reads the last byte (or one byte of every page for
 * the per-page cost).
 */
#include <errno.h>
#include <stdlib.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hdmabuf_common.h"
#include "bench.h"

int ours_available(struct bench *b)
{
	struct hyper_dmabuf_info info;
	unsigned int i;

	if (b->hdm < 0 || hdm_get_info(b->hdm, &info))
		return 0;
	for (i = 0; i < info.nr_backends && i < HYPER_DMABUF_MAX_BACKENDS; i++)
		if (info.backends[i].id == HYPER_DMABUF_BACKEND_XEN)
			return 1;
	return 0;
}

int ours_export(struct bench *b, int hdm, int dmabuf_fd, uint8_t handle[16])
{
	struct hyper_dmabuf_export e;
	int ret;

	memset(&e, 0, sizeof(e));
	e.fd = dmabuf_fd;
	e.backend = HYPER_DMABUF_BACKEND_XEN;
	e.peer = (uint64_t)b->peer;
	ret = hdm_ioctl(hdm, HYPER_DMABUF_IOCTL_EXPORT, &e);
	if (!ret)
		memcpy(handle, e.handle.bytes, 16);
	return ret;
}

int ours_unexport(struct bench *b, int hdm, const uint8_t handle[16])
{
	struct hyper_dmabuf_handle h;
	int ret;

	memcpy(h.bytes, handle, 16);
	/* the importer closed its fd; its RELEASE may still be in flight */
	ret = hdm_unexport(hdm, &h, 0, 10000);
	if (ret) {
		bwarn("UNEXPORT: %s; revoking", strerror(-ret));
		ret = hdm_unexport(hdm, &h, HYPER_DMABUF_UNEXPORT_REVOKE, 0);
	}
	(void)b;
	return ret;
}

/*
 * Importer: the handle can come over the control channel before the
 * exporter's EXPORT_ANNOUNCE reached our kernel (-ENOENT): wait for the
 * next event and retry, for at most 10 s.
 */
int ours_import(struct bench *b, const uint8_t handle[16], int *fd, uint64_t *size)
{
	uint64_t end = now_ns() + 10ULL * 1000000000ULL, t;
	struct hyper_dmabuf_handle h;
	int ret;

	memcpy(h.bytes, handle, 16);
	b->import_retries = 0;
	for (;;) {
		struct pollfd p = { .fd = b->hdm, .events = POLLIN };

		t = now_ns();
		ret = hdm_import(b->hdm, &h, 0, fd, size);
		b->import_call_ns = now_ns() - t;
		if (ret != -ENOENT || now_ns() > end)
			return ret;
		b->import_retries++;
		poll(&p, 1, 5);
		hdm_drain_events(b->hdm);
	}
}

/*
 * Exporter: share @sb (filled with the pattern of @seed) once; @r gets the
 * exporter's wall time from EXPORT to the importer's DONE, the importer's
 * own IMPORT and mmap+read times and the counter deltas of both sides.
 */
int ours_latency(struct bench *b, struct sbuf *sb, uint64_t size,
		 uint32_t flags, uint64_t seed, struct ours_result *r)
{
	struct counters *c0 = &r->c0, *c1 = &r->c1;
	uint8_t handle[16];
	struct bench_msg m;
	char exp_json[2048];
	uint64_t t0, t1;
	int ret, err;

	msg_send(b, BOP_OURS, flags, size, seed, NULL);
	ret = msg_expect(b, BOP_READY, &m);
	if (ret)
		return ret;
	counters_read(c0);
	t0 = now_ns();
	ret = ours_export(b, b->hdm, sb->dmabuf, handle);
	if (ret) {
		msg_error(b, ret);
		return ret;
	}
	r->exp_export_us = (double)(now_ns() - t0) / 1000.0;
	memset(&m, 0, sizeof(m));
	m.op = BOP_HANDLE;
	memcpy(m.handle, handle, 16);
	msg_send_m(b, &m);
	err = msg_expect(b, BOP_DONE, &m);
	t1 = now_ns();
	counters_read(c1);
	if (err)
		goto unexport;
	if (m.val[0] != bpat_byte(size - 1, seed))
		bdie("ours %llu: importer read last byte 0x%02llx, exported 0x%02x",
		     (unsigned long long)size, (unsigned long long)m.val[0],
		     bpat_byte(size - 1, seed));
	r->us = (double)(t1 - t0) / 1000.0;
	r->imp_import_us = (double)m.val[1] / 1000.0;
	r->imp_call_us = (double)m.size / 1000.0;
	r->imp_retries = m.arg;
	r->imp_map_us = (double)m.val[2] / 1000.0;
	if (flags & BF_VERIFY) {
		msg_expect(b, BOP_VERIFIED, &m);
		if (m.val[0])
			bdie("ours %llu: importer saw wrong bytes at offset %llu",
			     (unsigned long long)size,
			     (unsigned long long)m.val[0] - 1);
	}
	msg_expect(b, BOP_COUNTERS, &m);
	if (m.size >= sizeof(r->imp_counters))
		bdie("ours: importer counters too long (%llu)", (unsigned long long)m.size);
	ret = vc_read_all(b->ctl, r->imp_counters, m.size, b->timeout_ms);
	if (ret)
		bdie("ours: receiving counters: %s", strerror(-ret));
	r->imp_counters[m.size] = 0;
	if (counters_delta_json(c0, c1, exp_json, sizeof(exp_json)))
		strcpy(exp_json, "{}");
	snprintf(r->exp_counters, sizeof(r->exp_counters), "%s", exp_json);
	msg_expect(b, BOP_RELEASED, &m);
unexport:
	ret = ours_unexport(b, b->hdm, handle);
	if (ret)
		bdie("ours: the buffer could not be unexported: %s", strerror(-ret));
	return err;
}

/* Importer side of ours_latency(). */
int ours_latency_peer(struct bench *b, const struct bench_msg *cmd)
{
	struct counters *c0, *c1;
	uint64_t val[4] = { 0 }, t0, t1, t2, size = 0, i, sum = 0;
	char json[2048];
	struct bench_msg m;
	uint8_t *p;
	int ret, fd;

	if (!ours_available(b))
		return msg_error(b, -ENODEV);
	c0 = calloc(2, sizeof(*c0));
	if (!c0)
		bdie("out of memory");
	c1 = c0 + 1;
	/* debugfs reads take milliseconds under TCG: outside the clock */
	counters_read(c0);
	msg_send(b, BOP_READY, 0, 0, 0, NULL);
	if (msg_expect(b, BOP_HANDLE, &m)) {
		free(c0);
		return 0;			/* the exporter failed */
	}
	t0 = now_ns();
	ret = ours_import(b, m.handle, &fd, &size);
	t1 = now_ns();
	if (ret) {
		free(c0);
		return msg_error(b, ret);
	}
	if (size != cmd->size)
		bdie("ours: imported %llu bytes, exporter has %llu",
		     (unsigned long long)size, (unsigned long long)cmd->size);
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
		close(fd);
		free(c0);
		return msg_error(b, ret);
	}
	if (cmd->flags & BF_TOUCH)
		for (i = 0; i < size; i += 4096)
			sum += ((volatile uint8_t *)p)[i];
	val[0] = ((volatile uint8_t *)p)[size - 1];
	t2 = now_ns();
	val[1] = t1 - t0;
	val[2] = t2 - t1;
	val[3] = sum;
	/* the last IMPORT call alone, and how often the offer was not there yet */
	msg_send(b, BOP_DONE, 0, b->import_call_ns, b->import_retries, val);
	counters_read(c1);
	if (cmd->flags & BF_VERIFY) {
		val[0] = bpat_check(p, size, cmd->arg);
		msg_send(b, BOP_VERIFIED, 0, 0, 0, val);
	}
	if (counters_delta_json(c0, c1, json, sizeof(json)))
		strcpy(json, "{}");
	msg_send(b, BOP_COUNTERS, 0, strlen(json), 0, NULL);
	ret = vc_write_all(b->ctl, json, strlen(json), b->timeout_ms);
	if (ret)
		bdie("ours: sending counters: %s", strerror(-ret));
	munmap(p, size);
	close(fd);
	free(c0);
	msg_send(b, BOP_RELEASED, 0, 0, 0, NULL);
	return 0;
}

/*
 * Exporter: @n more live exports of 4 KiB buffers to the peer on @hdm
 * (closing @hdm ends them).  Returns how many were made, or -errno if the
 * first one failed.
 */
int ours_add_live(struct bench *b, int hdm, int n)
{
	uint8_t handle[16];
	struct sbuf sb;
	int i, ret;

	for (i = 0; i < n; i++) {
		ret = sbuf_alloc(b, 4096, &sb);
		if (!ret) {
			ret = ours_export(b, hdm, sb.dmabuf, handle);
			sbuf_free(&sb);		/* the export holds the dma-buf */
		}
		if (ret) {
			bwarn("live export %d of %d: %s", i + 1, n, strerror(-ret));
			return i ? i : ret;
		}
	}
	return n;
}
