// SPDX-License-Identifier: GPL-2.0
/*
 * hyperdmabuf-ctl: the control socket of an `export` process.
 *
 * UNEXPORT only works on the open file that made the export, so the
 * process that exported keeps it and answers requests from `unexport`,
 * `query` and `list` on an abstract UNIX socket named after the handle.
 * Abstract sockets vanish with their process (no stale files); either
 * side only talks to a peer of its own uid or root (SO_PEERCRED).
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "ctl.h"

/* Replies to UNEXPORT may take the whole wait plus the peer's timeout. */
#define CTL_REPLY_SLACK_MS	30000

static socklen_t ctl_addr(const struct hyper_dmabuf_handle *h,
			  struct sockaddr_un *sa)
{
	char hex[HDMABUF_HANDLE_STRLEN + 1];
	int n;

	hdmabuf_handle_format(h, hex);
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	/* sun_path[0] = '\0': abstract namespace. */
	n = snprintf(sa->sun_path + 1, sizeof(sa->sun_path) - 1,
		     "hyperdmabuf-ctl/%s", hex);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

int ctl_listen(const struct hyper_dmabuf_handle *h)
{
	struct sockaddr_un sa;
	socklen_t len = ctl_addr(h, &sa);
	int fd, err;

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, len) || listen(fd, 8)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* The other end is root or runs as our effective uid. */
static bool peer_trusted(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	return !getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) &&
		(cred.uid == 0 || cred.uid == geteuid());
}

int ctl_accept(int lfd)
{
	int fd;

	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (!peer_trusted(fd)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

int ctl_call(const struct hyper_dmabuf_handle *h, const struct ctl_req *req,
	     struct ctl_reply *rep)
{
	struct pollfd pfd;
	struct sockaddr_un sa;
	socklen_t len = ctl_addr(h, &sa);
	int fd, ret, timeout;
	ssize_t n;

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, len)) {
		ret = errno == ECONNREFUSED || errno == ENOENT ? -ESRCH :
			-errno;
		goto out;
	}
	/* Abstract names are first come, first served: check who answers. */
	if (!peer_trusted(fd)) {
		ret = -EPERM;
		goto out;
	}
	if (send(fd, req, sizeof(*req), MSG_NOSIGNAL) != sizeof(*req)) {
		ret = -errno;
		goto out;
	}
	timeout = CTL_REPLY_SLACK_MS;
	if (req->op == CTL_OP_UNEXPORT &&
	    !(req->flags & HYPER_DMABUF_UNEXPORT_REVOKE))
		timeout += req->timeout_ms > INT32_MAX - CTL_REPLY_SLACK_MS ?
			INT32_MAX - CTL_REPLY_SLACK_MS : (int)req->timeout_ms;
	pfd.fd = fd;
	pfd.events = POLLIN;
	do {
		ret = poll(&pfd, 1, timeout);
	} while (ret < 0 && errno == EINTR);
	if (ret <= 0) {
		ret = ret ? -errno : -ETIMEDOUT;
		goto out;
	}
	memset(rep, 0, sizeof(*rep));
	n = recv(fd, rep, sizeof(*rep), 0);
	if (n < 0) {
		ret = -errno;
		goto out;
	}
	if (n != (ssize_t)sizeof(*rep) || rep->magic != CTL_SOCK_MAGIC ||
	    rep->opaque_len > sizeof(rep->opaque)) {
		ret = -EPROTO;
		goto out;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}
