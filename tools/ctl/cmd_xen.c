// SPDX-License-Identifier: GPL-2.0
/*
 * hyperdmabuf-ctl xen-allow: in dom0, let two domUs share buffers.
 *
 * A domU talks to dom0 and to the domains listed in its own allow
 * directory; the pair's channel keys live in the higher domain's area,
 * which a kernel cannot make accessible to the other domain.  For
 * domains A < B, exactly as docs/xen.rst ("Allowing two domUs") says:
 *   1. /local/domain/B/data/hyper_dmabuf/A = "" with permissions
 *      nB bA rB (owned by B, A reads and writes, B reads what A creates);
 *   2. /local/domain/A/data/hyper_dmabuf/allow/B = ""
 *      /local/domain/B/data/hyper_dmabuf/allow/A = ""
 * in one transaction.  --remove deletes the allow keys (both domains drop
 * the channel), then the pair directory.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

#ifdef HAVE_XENSTORE
#include <xenstore.h>
#endif

/* Domain ids at and above DOMID_FIRST_RESERVED are not guests. */
#define XEN_DOMID_MAX	0x7fef

static void help(void)
{
	printf("Usage: %s xen-allow [--remove] DOMID_A DOMID_B\n"
	       "\n"
	       "Run in dom0: allow (or with --remove, forbid again) domUs A and\n"
	       "B to share buffers through the Xen backend.  For A < B it\n"
	       "creates the pair directory /local/domain/B/data/hyper_dmabuf/A\n"
	       "(permissions nB bA rB) and the keys\n"
	       "/local/domain/A/data/hyper_dmabuf/allow/B and\n"
	       "/local/domain/B/data/hyper_dmabuf/allow/A (docs/xen.rst).\n"
	       "\n"
	       "  -r, --remove   remove the permission\n"
	       "  -j, --json     print the result as JSON\n", PROG_NAME);
}

#ifdef HAVE_XENSTORE
/* Runs @step(xs, t, lo, hi) in a transaction, retried on EAGAIN. */
static int xs_txn(struct xs_handle *xs, unsigned int lo, unsigned int hi,
		  bool (*step)(struct xs_handle *, xs_transaction_t,
			       unsigned int, unsigned int))
{
	xs_transaction_t t;
	int tries, err = EAGAIN;

	for (tries = 0; tries < 16 && err == EAGAIN; tries++) {
		t = xs_transaction_start(xs);
		if (t == XBT_NULL)
			return -errno;
		if (!step(xs, t, lo, hi)) {
			err = errno;
			xs_transaction_end(xs, t, true);
			return -err;
		}
		err = xs_transaction_end(xs, t, false) ? 0 : errno;
	}
	return -err;
}

static bool allow_step(struct xs_handle *xs, xs_transaction_t t,
		       unsigned int lo, unsigned int hi)
{
	struct xs_permissions perms[3] = {
		{ .id = hi, .perms = XS_PERM_NONE },
		{ .id = lo, .perms = XS_PERM_READ | XS_PERM_WRITE },
		{ .id = hi, .perms = XS_PERM_READ },
	};
	char path[96];

	snprintf(path, sizeof(path), "/local/domain/%u/data/hyper_dmabuf/%u",
		 hi, lo);
	if (!xs_write(xs, t, path, "", 0) ||
	    !xs_set_permissions(xs, t, path, perms, 3))
		return false;
	snprintf(path, sizeof(path),
		 "/local/domain/%u/data/hyper_dmabuf/allow/%u", lo, hi);
	if (!xs_write(xs, t, path, "", 0))
		return false;
	snprintf(path, sizeof(path),
		 "/local/domain/%u/data/hyper_dmabuf/allow/%u", hi, lo);
	return xs_write(xs, t, path, "", 0);
}

/* xs_rm() of a missing node is not an error. */
static bool rm_node(struct xs_handle *xs, xs_transaction_t t,
		    const char *path)
{
	return xs_rm(xs, t, path) || errno == ENOENT;
}

static bool unallow_step(struct xs_handle *xs, xs_transaction_t t,
			 unsigned int lo, unsigned int hi)
{
	char path[96];

	snprintf(path, sizeof(path),
		 "/local/domain/%u/data/hyper_dmabuf/allow/%u", lo, hi);
	if (!rm_node(xs, t, path))
		return false;
	snprintf(path, sizeof(path),
		 "/local/domain/%u/data/hyper_dmabuf/allow/%u", hi, lo);
	return rm_node(xs, t, path);
}

static bool rm_pair_step(struct xs_handle *xs, xs_transaction_t t,
			 unsigned int lo, unsigned int hi)
{
	char path[96];

	snprintf(path, sizeof(path), "/local/domain/%u/data/hyper_dmabuf/%u",
		 hi, lo);
	return rm_node(xs, t, path);
}

/* 0 or -errno. */
static int xs_apply(unsigned int lo, unsigned int hi, bool remove)
{
	struct xs_handle *xs;
	int ret;

	xs = xs_open(0);
	if (!xs)
		return -(errno ? errno : ENOENT);
	if (!remove) {
		ret = xs_txn(xs, lo, hi, allow_step);
	} else {
		ret = xs_txn(xs, lo, hi, unallow_step);
		if (!ret)
			ret = xs_txn(xs, lo, hi, rm_pair_step);
	}
	xs_close(xs);
	return ret;
}
#endif

int cmd_xen_allow(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "remove", no_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = argv[0];
	bool remove = false;
	uint64_t dom[2];
	int c, i;

	while ((c = ctl_getopt(argc, argv, "rjh", longopts)) != -1) {
		switch (c) {
		case 'r':
			remove = true;
			break;
		case 'j':
			ctl_opts.json = true;
			break;
		case 'h':
			help();
			return EXIT_SUCCESS;
		}
	}
	if (argc - optind != 2)
		usage_error(cmd, "need two domain ids");
	for (i = 0; i < 2; i++)
		if (parse_u64(argv[optind + i], XEN_DOMID_MAX, &dom[i]))
			usage_error(cmd, "'%.64s' is not a domain id (0..%u)",
				    argv[optind + i], XEN_DOMID_MAX);
	if (dom[0] == dom[1])
		usage_error(cmd, "a domain does not share with itself");
	if (!dom[0] || !dom[1])
		usage_error(cmd, "dom0 shares with every domain, nothing to allow");
#ifdef HAVE_XENSTORE
	{
		unsigned int lo = (unsigned int)(dom[0] < dom[1] ? dom[0] : dom[1]);
		unsigned int hi = (unsigned int)(dom[0] < dom[1] ? dom[1] : dom[0]);
		int ret = xs_apply(lo, hi, remove);
		struct jw w;

		if (ret) {
			print_err(-ret, "xenstore: %s %u <-> %u",
				  remove ? "remove" : "allow", lo, hi);
			return EXIT_FAILURE;
		}
		if (ctl_opts.json) {
			jw_init(&w, stdout);
			jw_obj(&w, NULL);
			jw_arr(&w, "domains");
			jw_u64(&w, NULL, dom[0]);
			jw_u64(&w, NULL, dom[1]);
			jw_end(&w);
			jw_bool(&w, "allowed", !remove);
			jw_end(&w);
		}
		return EXIT_SUCCESS;
	}
#else
	(void)remove;
	print_err(EOPNOTSUPP, "xen-allow: built without libxenstore");
	return EXIT_FAILURE;
#endif
}
