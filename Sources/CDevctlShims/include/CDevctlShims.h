#ifndef CDEVCTL_SHIMS_H
#define CDEVCTL_SHIMS_H

#include <sys/types.h>

/// Spawns `path` with `argv`/`envp` as the leader of a new session (POSIX_SPAWN_SETSID), with an
/// empty signal mask, every signal at its default disposition, stdin from /dev/null, stdout and
/// stderr on `stdout_fd` and `stderr_fd` (-1: /dev/null), the working directory `cwd`, and every
/// other descriptor closed. Returns 0 or an errno value (posix_spawn does not set errno).
int devctl_spawn_session_leader(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                                const char *cwd, int stdout_fd, int stderr_fd);

/// Spawns a short-lived helper (health-check command) in a new process group of its own so that a
/// timeout can kill all of it; otherwise as `devctl_spawn_session_leader`.
int devctl_spawn_grouped(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                         const char *cwd, int stdout_fd, int stderr_fd);

/// pidfd_open(2) as a raw syscall; -1 and errno on failure.
int devctl_pidfd_open(pid_t pid);

/// pidfd_send_signal(2) as a raw syscall; -1 and errno on failure.
int devctl_pidfd_send_signal(int pidfd, int sig);

/// One listening TCP socket: its local port, and the inode that names it in /proc/PID/fd.
struct devctl_listening_socket {
    unsigned short port;
    unsigned long long inode;
};

/// The listening TCP sockets (IPv4 and IPv6) of this network namespace, asked of the kernel over
/// NETLINK_SOCK_DIAG as `ss -lt` does: unlike reading /proc/net/tcp, which walks the kernel's
/// whole socket hash table, this visits listening sockets only. Fills up to `capacity` entries
/// and returns how many there are (call again with more room when that is larger), or -1 with
/// errno set.
int devctl_listening_tcp_sockets(struct devctl_listening_socket *sockets, int capacity);

#endif
