// SPDX-License-Identifier: GPL-2.0
/*
 * udmabuf_run: run a command with a dma-buf holding a file's bytes on a
 * given fd, for the lab's CLI tests in PV domUs (where writing a vgem
 * buffer through mmap never finishes, see docs/demo.rst): the bytes go to
 * a sealed memfd, /dev/udmabuf turns it into a dma-buf, and the command
 * (e.g. `hyperdmabuf-ctl export --fd N`) inherits it.
 *
 * usage: udmabuf_run FILE FD COMMAND [ARGS]...
 * The buffer is the file's size rounded up to whole pages (the rest is
 * zero).  Exit: the command's, 1 on errors, 2 usage, 77 when the kernel
 * has no /dev/udmabuf (Debian 6.1).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <linux/udmabuf.h>

#define PROG "udmabuf_run"

static int die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", PROG, what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC };
	long page = sysconf(_SC_PAGESIZE);
	char buf[65536];
	struct stat st;
	int in, mfd, dev, dbuf, target;
	ssize_t n;
	off_t size;

	if (argc < 4 || (target = atoi(argv[2])) < 3) {
		fprintf(stderr, "usage: %s FILE FD(>=3) COMMAND [ARGS]...\n", PROG);
		return 2;
	}
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		fprintf(stderr, "%s: /dev/udmabuf: %s\n", PROG, strerror(errno));
		return errno == ENOENT ? 77 : 1;
	}
	in = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (in < 0 || fstat(in, &st))
		return die(argv[1]);
	size = (st.st_size + page - 1) / page * page;
	if (!size)
		size = page;
	mfd = memfd_create("udmabuf_run", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, size))
		return die("memfd");
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(mfd, buf, n) != n)
			return die("memfd write");
	if (n < 0)
		return die(argv[1]);
	close(in);
	/* udmabuf requires the size to be fixed. */
	if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK))
		return die("F_ADD_SEALS");
	c.memfd = mfd;
	c.offset = 0;
	c.size = size;
	dbuf = ioctl(dev, UDMABUF_CREATE, &c);
	if (dbuf < 0)
		return die("UDMABUF_CREATE");
	close(dev);
	close(mfd);
	if (dup2(dbuf, target) < 0)
		return die("dup2");
	if (dbuf != target)
		close(dbuf);
	execvp(argv[3], argv + 3);
	return die(argv[3]);
}
