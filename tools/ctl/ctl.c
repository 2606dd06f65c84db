// SPDX-License-Identifier: GPL-2.0
/*
 * hyperdmabuf-ctl: command-line front end of /dev/hyper_dmabuf.
 *
 *   hyperdmabuf-ctl [--json] [--host SOCKET] COMMAND [ARGS...]
 *
 * With --host, info/list/import/watch go to hyper_dmabufd's host API
 * (cmd_host.c) instead of /dev/hyper_dmabuf.
 *
 * Global options, then one subcommand from the table below (exact names,
 * no abbreviations).  Errors go to stderr as "hyperdmabuf-ctl: <what>:
 * <errno text>"; exit status 0, 1 on failure, 2 on usage errors.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"

#ifndef CTL_VERSION
#define CTL_VERSION "unknown"
#endif

static int cmd_help(int argc, char **argv);

static const struct ctl_cmd cmds[] = {
	{ "info", cmd_info, "module ABI, features, backends, limits" },
	{ "export", cmd_export, "share a buffer with a peer and keep it shared" },
	{ "import", cmd_import, "import an offered buffer (raw or PNG)" },
	{ "unexport", cmd_unexport, "stop sharing (ask the export process)" },
	{ "query", cmd_query, "describe one buffer" },
	{ "list", cmd_list, "exports and offers of this VM" },
	{ "watch", cmd_watch, "print events as they arrive" },
	{ "xen-allow", cmd_xen_allow, "dom0: let two Xen domains share" },
	{ "help", cmd_help, "this text, or a command's help" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: %s [OPTIONS] COMMAND [ARGS...]\n"
		"\n"
		"Share dma-bufs between virtual machines (/dev/hyper_dmabuf).\n"
		"\n"
		"Commands:\n", PROG_NAME);
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].synopsis);
	fprintf(f,
		"\n"
		"Options:\n"
		"  -j, --json         JSON output (one value per line)\n"
		"      --host SOCKET  on a virtio host: talk to hyper_dmabufd's\n"
		"                     host API (info, list, import, watch)\n"
		"  -h, --help         this text ('%s COMMAND --help' per command)\n"
		"  -V, --version      tool version and the module's ABI\n"
		"\n"
		"Handles are 32 lower-case hex digits. See %s(1).\n",
		PROG_NAME, PROG_NAME);
}

static const struct ctl_cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(name, cmds[i].name))
			return &cmds[i];
	return NULL;
}

static int cmd_help(int argc, char **argv)
{
	const struct ctl_cmd *c;
	char *av[3];

	if (argc < 2) {
		usage(stdout);
		return EXIT_SUCCESS;
	}
	if (argc > 2)
		usage_error("help", "too many arguments");
	c = find_cmd(argv[1]);
	if (!c || c->run == cmd_help)
		usage_error("help", "unknown command '%.64s'", argv[1]);
	av[0] = argv[1];
	av[1] = "--help";
	av[2] = NULL;
	return c->run(2, av);
}

static int print_version(void)
{
	struct hyper_dmabuf_info info;
	int fd, ret;
	struct jw w;

	fd = hdmabuf_open(0);
	ret = fd < 0 ? fd : hdmabuf_get_info(fd, &info);
	if (fd >= 0)
		close(fd);
	if (ctl_opts.json) {
		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		jw_str(&w, "version", CTL_VERSION);
		jw_u64(&w, "uapi_abi", HYPER_DMABUF_ABI_VERSION);
		if (ret)
			jw_null(&w, "kernel_abi");
		else
			jw_u64(&w, "kernel_abi", info.abi_version);
		jw_end(&w);
		return EXIT_SUCCESS;
	}
	printf("%s %s (uapi ABI %d)\n", PROG_NAME, CTL_VERSION,
	       HYPER_DMABUF_ABI_VERSION);
	if (ret)
		printf("kernel module: not available (%s: %s)\n", HDMABUF_DEV,
		       strerror(-ret));
	else
		printf("kernel module: ABI %u%s\n", info.abi_version,
		       info.abi_version == HYPER_DMABUF_ABI_VERSION ? "" :
		       " (differs from this tool's)");
	printf("License: GPL-2.0\n");
	return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "host", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const struct ctl_cmd *cmd;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:jhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctl_opts.json = true;
			break;
		case 'H':
			ctl_opts.host = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			return print_version();
		case ':':
			usage_error(NULL, "missing argument for option '%.64s'",
				    argv[optind - 1]);
		default:
			usage_error(NULL, "invalid option '%.64s'",
				    argv[optind - 1]);
		}
	}
	if (optind >= argc)
		usage_error(NULL, "no command given");
	cmd = find_cmd(argv[optind]);
	if (!cmd)
		usage_error(NULL, "unknown command '%.64s'", argv[optind]);
	/* The subcommand parses its own options: restart getopt. */
	c = optind;
	optind = 0;
	if (ctl_opts.host && cmd->run != cmd_help)
		return host_run(cmd->name, argc - c, argv + c);
	return cmd->run(argc - c, argv + c);
}
