#define _GNU_SOURCE
#include "CDevctlShims.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>

static int redirect(posix_spawn_file_actions_t *actions, int from, int to) {
    if (from < 0) return posix_spawn_file_actions_addopen(actions, to, "/dev/null", O_WRONLY, 0);
    return posix_spawn_file_actions_adddup2(actions, from, to);
}

static int spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                 const char *cwd, int stdout_fd, int stderr_fd) {
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t actions;
    sigset_t empty, all;
    int rc;

    sigemptyset(&empty);
    sigfillset(&all);
    if ((rc = posix_spawnattr_init(&attr)) != 0) return rc;
    if ((rc = posix_spawn_file_actions_init(&actions)) != 0) {
        posix_spawnattr_destroy(&attr);
        return rc;
    }
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP;
    posix_spawnattr_setpgroup(&attr, 0);
    rc = posix_spawnattr_setflags(&attr, flags);
    if (rc == 0) rc = posix_spawnattr_setsigmask(&attr, &empty);
    if (rc == 0) rc = posix_spawnattr_setsigdefault(&attr, &all);
    if (rc == 0) rc = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    if (rc == 0) rc = redirect(&actions, stdout_fd, 1);
    if (rc == 0) rc = redirect(&actions, stderr_fd, 2);
    if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (rc == 0 && cwd != NULL) rc = posix_spawn_file_actions_addchdir_np(&actions, cwd);
    if (rc == 0) rc = posix_spawn(pid, path, &actions, &attr, argv, envp);

    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    return rc;
}

int devctl_spawn_grouped(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                         const char *cwd, int stdout_fd, int stderr_fd) {
    return spawn(pid, path, argv, envp, cwd, stdout_fd, stderr_fd);
}

int devctl_rename_exchange(const char *from, const char *to) {
    return renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_EXCHANGE);
}

int devctl_xattr_is_one(const char *path, const char *name) {
    char value[2];
    ssize_t length = getxattr(path, name, value, sizeof value);
    return length == 1 && value[0] == '1';
}

int devctl_pidfd_open(pid_t pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

int devctl_pidfd_send_signal(int pidfd, int sig) {
    return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

/* Asks for every socket of one address family in state LISTEN; appends them to `sockets`. */
static int dump_listening(int fd, unsigned char family, struct devctl_listening_socket *sockets,
                          int capacity, int *count) {
    struct {
        struct nlmsghdr header;
        struct inet_diag_req_v2 request;
    } message;
    memset(&message, 0, sizeof message);
    message.header.nlmsg_len = sizeof message;
    message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    message.request.sdiag_family = family;
    message.request.sdiag_protocol = IPPROTO_TCP;
    message.request.idiag_states = 1 << TCP_LISTEN;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    if (sendto(fd, &message, sizeof message, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) return -1;

    /* Aligned for struct nlmsghdr; the kernel sends at most a page or so per datagram. */
    long buffer[8192 / sizeof(long)];
    for (;;) {
        ssize_t got = recv(fd, buffer, sizeof buffer, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (got == 0) {
            errno = EPROTO;
            return -1;
        }
        int left = (int)got;
        for (struct nlmsghdr *header = (struct nlmsghdr *)buffer; NLMSG_OK(header, left);
             header = NLMSG_NEXT(header, left)) {
            if (header->nlmsg_type == NLMSG_DONE) return 0;
            if (header->nlmsg_type == NLMSG_ERROR) {
                struct nlmsgerr *error = NLMSG_DATA(header);
                errno = error->error < 0 ? -error->error : EPROTO;
                return -1;
            }
            if (header->nlmsg_type != SOCK_DIAG_BY_FAMILY) continue;
            struct inet_diag_msg *entry = NLMSG_DATA(header);
            if (*count < capacity) {
                sockets[*count].port = ntohs(entry->id.idiag_sport);
                sockets[*count].inode = entry->idiag_inode;
            }
            (*count)++;
        }
    }
}

int devctl_listening_tcp_sockets(struct devctl_listening_socket *sockets, int capacity) {
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) return -1;
    int count = 0;
    int rc = dump_listening(fd, AF_INET, sockets, capacity, &count);
    if (rc == 0) rc = dump_listening(fd, AF_INET6, sockets, capacity, &count);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc == 0 ? count : -1;
}

int devctl_terminal_columns(int fd) {
    struct winsize size;
    if (ioctl(fd, TIOCGWINSZ, &size) != 0) return 0;
    return size.ws_col;
}

int devctl_become_subreaper(void) {
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

int devctl_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int devctl_set_pipe_size(int fd, int bytes) {
    return fcntl(fd, F_SETPIPE_SZ, bytes);
}

int devctl_signalfd(const sigset_t *set) {
    return signalfd(-1, set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int devctl_signalfd_next(int fd) {
    struct signalfd_siginfo info;
    ssize_t count = read(fd, &info, sizeof info);
    if (count != (ssize_t)sizeof info) return -1;
    return (int)info.ssi_signo;
}
