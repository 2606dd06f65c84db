// SPDX-License-Identifier: GPL-2.0
/*
 * hyperdmabuf-ctl xen-allow: in dom0, let two Xen domains share buffers.
 *
 * The Xen backend only talks to a peer that the toolstack has allowed,
 * on both sides:
 *   /local/domain/A/data/hyper_dmabuf/allow/B = "1"
 *   /local/domain/B/data/hyper_dmabuf/allow/A = "1"
 * written by dom0 in one transaction (docs/xen.rst).  The nodes and the
 * allow directories belong to dom0 and are readable by the domain whose
 * directory holds them, so a guest can read but not extend its own list.
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
	       "Run in dom0: allow (or with --remove, forbid again) domains A\n"
	       "and B to share buffers through the Xen backend, by writing\n"
	       "/local/domain/A/data/hyper_dmabuf/allow/B and\n"
	       "/local/domain/B/data/hyper_dmabuf/allow/A in xenstore.\n"
	       "\n"
	       "  -r, --remove   remove the permission\n"
	       "  -j, --json     print the result as JSON\n", PROG_NAME);
}

#ifdef HAVE_XENSTORE
/*
 * Owned by dom0, readable by @dom.  Set on the allow directory too: a
 * node created by dom0 inside a guest's data directory would otherwise
 * inherit the guest's ownership, and the guest could extend its list.
 */
static bool xs_protect(struct xs_handle *xs, xs_transaction_t t,
		       const char *path, unsigned int dom)
{
	struct xs_permissions perms[2] = {
		{ .id = 0, .perms = XS_PERM_NONE },
		{ .id = dom, .perms = XS_PERM_READ },
	};

	return xs_set_permissions(xs, t, path, perms, dom ? 2 : 1);
}

/* Write or remove both nodes in one transaction; 0 or -errno. */
static int xs_apply(unsigned int a, unsigned int b, bool remove)
{
	unsigned int dom[2] = { a, b };
	char dir[2][80], node[2][96];
	struct xs_handle *xs;
	xs_transaction_t t;
	int i, tries, err = 0;

	for (i = 0; i < 2; i++) {
		snprintf(dir[i], sizeof(dir[i]),
			 "/local/domain/%u/data/hyper_dmabuf/allow", dom[i]);
		snprintf(node[i], sizeof(node[i]), "%s/%u", dir[i], dom[!i]);
	}
	xs = xs_open(0);
	if (!xs)
		return -(errno ? errno : ENOENT);
	for (tries = 0; tries < 16; tries++) {
		t = xs_transaction_start(xs);
		if (t == XBT_NULL) {
			err = errno;
			break;
		}
		err = 0;
		for (i = 0; i < 2 && !err; i++) {
			if (remove) {
				if (!xs_rm(xs, t, node[i]) && errno != ENOENT)
					err = errno;
			} else if (!xs_mkdir(xs, t, dir[i]) ||
				   !xs_protect(xs, t, dir[i], dom[i]) ||
				   !xs_write(xs, t, node[i], "1", 1) ||
				   !xs_protect(xs, t, node[i], dom[i])) {
				err = errno;
			}
		}
		if (err) {
			xs_transaction_end(xs, t, true);
			break;
		}
		if (xs_transaction_end(xs, t, false))
			break;
		err = errno;
		if (err != EAGAIN)
			break;
	}
	xs_close(xs);
	return -err;
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
#ifdef HAVE_XENSTORE
	{
		int ret = xs_apply((unsigned int)dom[0], (unsigned int)dom[1],
				   remove);
		struct jw w;

		if (ret) {
			print_err(-ret, "xenstore: %s %u <-> %u",
				  remove ? "remove" : "allow",
				  (unsigned int)dom[0], (unsigned int)dom[1]);
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
