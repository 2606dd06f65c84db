// SPDX-License-Identifier: GPL-2.0
/*
 * hyperdmabuf-ctl watch: print the device's event records as they
 * arrive, one per line (text or JSON lines).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/signalfd.h>

#include "ctl.h"

static void help(void)
{
	printf("Usage: %s watch [--type T[,T...]] [--count N] [--timeout MS] [--json]\n"
	       "\n"
	       "Print events (offer, withdrawn, revoked, peer-up, peer-down,\n"
	       "overflow, released) from the moment the device is opened, one\n"
	       "per line, until SIGINT/SIGTERM.\n"
	       "\n"
	       "  -T, --type T,...  only these events (offer, withdrawn, ...)\n"
	       "  -n, --count N     stop after N events (status 1 if --timeout\n"
	       "                    ends the watch first)\n"
	       "  -t, --timeout MS  stop after MS milliseconds\n"
	       "  -j, --json        one JSON object per line\n", PROG_NAME);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void print_event(const struct hyper_dmabuf_event *ev)
{
	char hex[HDMABUF_HANDLE_STRLEN + 1], fcc[16], type[16];
	const char *name = hdmabuf_event_name(ev->type);
	const char *bn = hdmabuf_backend_name(ev->backend);
	bool has_handle = ev->type != HYPER_DMABUF_EVENT_PEER_UP &&
		ev->type != HYPER_DMABUF_EVENT_PEER_DOWN &&
		ev->type != HYPER_DMABUF_EVENT_OVERFLOW;
	struct jw w;

	if (!name) {
		snprintf(type, sizeof(type), "%u", ev->type);
		name = type;
	}
	hdmabuf_handle_format(&ev->handle, hex);
	hdmabuf_fourcc_format(ev->fourcc, fcc);
	if (ctl_opts.json) {
		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		jw_u64(&w, "seq", ev->seq);
		jw_str(&w, "event", name);
		if (ev->type == HYPER_DMABUF_EVENT_OVERFLOW) {
			jw_u64(&w, "lost", ev->size);
			jw_end(&w);
			return;
		}
		if (has_handle)
			jw_str(&w, "handle", hex);
		jw_str(&w, "backend", bn ? bn : "unknown");
		jw_u64(&w, "peer", ev->peer);
		if (ev->type == HYPER_DMABUF_EVENT_FENCE) {
			jw_u64(&w, "seqno", ev->size);
			jw_bool(&w, "write",
				ev->flags & HYPER_DMABUF_FENCE_WRITE);
		} else if (has_handle) {
			jw_u64(&w, "size", ev->size);
			jw_str(&w, "fourcc", ev->fourcc ? fcc : "none");
			jw_bool(&w, "rw", ev->flags & HYPER_DMABUF_EXPORT_RW);
		}
		jw_end(&w);
		return;
	}
	printf("%" PRIu64 " %s", (uint64_t)ev->seq, name);
	if (ev->type == HYPER_DMABUF_EVENT_OVERFLOW) {
		printf(" lost=%" PRIu64 "\n", (uint64_t)ev->size);
	} else {
		if (has_handle)
			printf(" %s", hex);
		printf(" peer=%s:%" PRIu64, bn ? bn : "?", (uint64_t)ev->peer);
		if (ev->type == HYPER_DMABUF_EVENT_FENCE)
			printf(" seqno=%" PRIu64 " %s", (uint64_t)ev->size,
			       ev->flags & HYPER_DMABUF_FENCE_WRITE ?
			       "write" : "read");
		else if (has_handle)
			printf(" size=%" PRIu64 " fourcc=%s %s",
			       (uint64_t)ev->size, ev->fourcc ? fcc : "none",
			       ev->flags & HYPER_DMABUF_EXPORT_RW ? "rw" : "ro");
		printf("\n");
	}
	fflush(stdout);
}

/* "offer,withdrawn": a bit per event type; 0 or -EINVAL. */
static int parse_types(const char *s, uint32_t *types)
{
	char buf[128], *tok, *save;
	uint32_t t;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (t = 1; t < 32; t++) {
			const char *name = hdmabuf_event_name(t);

			if (name && !strcmp(name, tok))
				break;
		}
		if (t == 32)
			return -EINVAL;
		*types |= 1u << t;
	}
	return *types ? 0 : -EINVAL;
}

int cmd_watch(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "type", required_argument, NULL, 'T' },
		{ "count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t count = 0, timeout_ms = 0, seen = 0, deadline = 0;
	uint32_t types = 0;	/* bit per HYPER_DMABUF_EVENT_*, 0: all */
	const char *cmd = argv[0];
	struct hyper_dmabuf_event ev;
	int c, fd, sfd, ret, status = EXIT_SUCCESS;
	sigset_t mask;

	while ((c = ctl_getopt(argc, argv, "T:n:t:jh", longopts)) != -1) {
		switch (c) {
		case 'T':
			if (parse_types(optarg, &types))
				usage_error(cmd, "--type: '%.64s' is not a list of event names",
					    optarg);
			break;
		case 'n':
			if (parse_u64(optarg, UINT32_MAX, &count) || !count)
				usage_error(cmd, "--count: '%.64s' is not 1..%u",
					    optarg, UINT32_MAX);
			break;
		case 't':
			if (parse_u64(optarg, UINT32_MAX, &timeout_ms) ||
			    !timeout_ms)
				usage_error(cmd, "--timeout: '%.64s' is not 1..%u ms",
					    optarg, UINT32_MAX);
			break;
		case 'j':
			ctl_opts.json = true;
			break;
		case 'h':
			help();
			return EXIT_SUCCESS;
		}
	}
	if (optind < argc)
		usage_error(cmd, "unexpected argument '%.64s'", argv[optind]);

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		print_err(errno, "signalfd");
		return EXIT_FAILURE;
	}
	fd = open_device();
	if (fd < 0) {
		close(sfd);
		return EXIT_FAILURE;
	}
	/* --type filters in the kernel too; FENCE records only when asked */
	if (types) {
		ret = hdmabuf_event_mask(fd, types, NULL);
		if (ret) {
			print_err(-ret, "EVENT_MASK on %s", HDMABUF_DEV);
			close(fd);
			close(sfd);
			return EXIT_FAILURE;
		}
	}
	if (timeout_ms)
		deadline = now_ms() + timeout_ms;
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = fd, .events = POLLIN },
		};
		int wait = -1;

		if (count && seen >= count)
			break;
		if (deadline) {
			uint64_t now = now_ms();

			if (now >= deadline) {
				if (count) {
					print_err(ETIMEDOUT, "watch: %" PRIu64
						  " of %" PRIu64 " events",
						  seen, count);
					status = EXIT_FAILURE;
				}
				break;
			}
			wait = (int)(deadline - now);
		}
		ret = poll(pfd, 2, wait);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0) {
			print_err(errno, "poll");
			status = EXIT_FAILURE;
			break;
		}
		if (pfd[0].revents)
			break;
		if (!(pfd[1].revents & POLLIN))
			continue;
		ret = hdmabuf_read_event(fd, &ev, 0);
		if (ret < 0) {
			print_err(-ret, "read %s", HDMABUF_DEV);
			status = EXIT_FAILURE;
			break;
		}
		if (ret == 1 && (!types || (ev.type < 32 &&
					     types & (1u << ev.type)))) {
			print_event(&ev);
			seen++;
		}
	}
	close(fd);
	close(sfd);
	return status;
}
