// SPDX-License-Identifier: GPL-2.0
/*
 * hyperdmabuf-ctl info: GET_INFO (ABI, features, backends, limits).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"

static const struct {
	uint64_t bit;
	const char *name;
} features[] = {
	{ HYPER_DMABUF_FEAT_MMAP, "mmap" },
	{ HYPER_DMABUF_FEAT_VMAP, "vmap" },
	{ HYPER_DMABUF_FEAT_CPU_ACCESS, "cpu-access" },
	{ HYPER_DMABUF_FEAT_REVOKE, "revoke" },
	{ HYPER_DMABUF_FEAT_EVENTS, "events" },
	{ HYPER_DMABUF_FEAT_UEVENTS, "uevents" },
	{ HYPER_DMABUF_FEAT_FENCES, "fences" },
	{ HYPER_DMABUF_FEAT_FENCE_EVENTS, "fence-events" },
};

static void help(void)
{
	printf("Usage: %s info [--json]\n"
	       "\n"
	       "The module's ABI version, features, limits and the backends\n"
	       "registered, with this VM's domain id on each.\n", PROG_NAME);
}

/* The kernel NUL-terminates it; do not trust that blindly. */
static void backend_name(const struct hyper_dmabuf_backend_info *b,
			 char out[sizeof(b->name) + 1])
{
	memcpy(out, b->name, sizeof(b->name));
	out[sizeof(b->name)] = '\0';
}

static void print_json(const struct hyper_dmabuf_info *info, uint32_t nb)
{
	char name[sizeof(info->backends[0].name) + 1];
	struct jw w;
	uint32_t i;

	jw_init(&w, stdout);
	jw_obj(&w, NULL);
	jw_u64(&w, "abi_version", info->abi_version);
	jw_arr(&w, "features");
	for (i = 0; i < ARRAY_SIZE(features); i++)
		if (info->features & features[i].bit)
			jw_str(&w, NULL, features[i].name);
	jw_end(&w);
	jw_u64(&w, "features_mask", info->features);
	jw_u64(&w, "max_size", info->max_size);
	jw_u64(&w, "max_opaque", info->max_opaque);
	jw_u64(&w, "max_exports", info->max_exports);
	jw_arr(&w, "backends");
	for (i = 0; i < nb; i++) {
		backend_name(&info->backends[i], name);
		jw_obj(&w, NULL);
		jw_u64(&w, "id", info->backends[i].id);
		jw_str(&w, "name", name);
		jw_u64(&w, "own_domid", info->backends[i].own_domid);
		jw_end(&w);
	}
	jw_end(&w);
	jw_end(&w);
}

static void print_text(const struct hyper_dmabuf_info *info, uint32_t nb)
{
	char name[sizeof(info->backends[0].name) + 1];
	uint64_t rest = info->features;
	uint32_t i;

	printf("abi version: %u\n", info->abi_version);
	printf("features:   ");
	for (i = 0; i < ARRAY_SIZE(features); i++) {
		if (info->features & features[i].bit)
			printf(" %s", features[i].name);
		rest &= ~features[i].bit;
	}
	if (rest)
		printf(" 0x%" PRIx64, rest);
	printf("\n");
	printf("max size:    %" PRIu64 " bytes\n", (uint64_t)info->max_size);
	printf("max opaque:  %u bytes\n", info->max_opaque);
	printf("max exports: %u per open file\n", info->max_exports);
	if (!nb)
		printf("backends:    none registered\n");
	for (i = 0; i < nb; i++) {
		backend_name(&info->backends[i], name);
		printf("backend:     %s (id %u), own domain id %" PRIu64 "\n",
		       name, info->backends[i].id,
		       (uint64_t)info->backends[i].own_domid);
	}
}

int cmd_info(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hyper_dmabuf_info info;
	uint32_t nb;
	int c, fd, ret;

	while ((c = ctl_getopt(argc, argv, "jh", longopts)) != -1) {
		switch (c) {
		case 'j':
			ctl_opts.json = true;
			break;
		case 'h':
			help();
			return EXIT_SUCCESS;
		}
	}
	if (optind < argc)
		usage_error(argv[0], "unexpected argument '%.64s'",
			    argv[optind]);

	fd = open_device();
	if (fd < 0)
		return EXIT_FAILURE;
	ret = hdmabuf_get_info(fd, &info);
	close(fd);
	if (ret) {
		print_err(-ret, "GET_INFO");
		return EXIT_FAILURE;
	}
	nb = info.nr_backends < HYPER_DMABUF_MAX_BACKENDS ? info.nr_backends :
		HYPER_DMABUF_MAX_BACKENDS;
	if (ctl_opts.json)
		print_json(&info, nb);
	else
		print_text(&info, nb);
	return EXIT_SUCCESS;
}
