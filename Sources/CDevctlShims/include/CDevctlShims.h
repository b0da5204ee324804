#ifndef CDEVCTL_SHIMS_H
#define CDEVCTL_SHIMS_H

#include <sys/types.h>
#include <signal.h>

/// Spawns a short-lived helper (a health-check command, docker) with posix_spawn in a new process
/// group of its own, so that a timeout can kill all of it: an empty signal mask, every catchable
/// signal at its default, stdin from /dev/null, stdout and stderr on `stdout_fd` and `stderr_fd`
/// (-1: /dev/null), the working directory `cwd`, every other descriptor closed. Returns 0 or an
/// errno value (posix_spawn does not set errno).
int devctl_spawn_grouped(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                         const char *cwd, int stdout_fd, int stderr_fd);

/// Starts a service leader with fork semantics, doing in the child, before its first instruction:
/// join the cgroup open as `cgroup_fd` (-1: stay in the parent's), with clone3's
/// CLONE_INTO_CGROUP where the kernel has it and else by writing itself into `cgroup_procs_fd`;
/// setsid; every signal disposition to default with the raw rt_sigaction syscall (glibc's
/// posix_spawn leaves its internal signals 32 and 33 ignored); an empty signal mask; stdin from
/// /dev/null, stdout and stderr on `stdout_fd`/`stderr_fd` (-1: /dev/null); every other descriptor
/// closed; chdir to `cwd` (NULL: stay); execve. A failure in the child comes back through a
/// close-on-exec pipe: the return value is 0, or the errno of the step that failed, with
/// `*failed_step` naming it ("clone3", "cgroup", "setsid", "chdir", "exec", …).
int devctl_spawn_contained(pid_t *pid, const char *path, char *const argv[], char *const envp[], const char *cwd,
                           int stdout_fd, int stderr_fd, int cgroup_fd, int cgroup_procs_fd, const char **failed_step);

/// renameat2(from, to, RENAME_EXCHANGE): swaps the two paths atomically. 0, or -1 and errno
/// (EINVAL where the file system cannot swap, ENOENT where `to` does not exist yet).
int devctl_rename_exchange(const char *from, const char *to);

/// 1 when the extended attribute `name` of `path` is the single character "1", else 0.
int devctl_xattr_is_one(const char *path, const char *name);

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

/// The width in columns of the terminal `fd` is on (ioctl TIOCGWINSZ, which Swift cannot call:
/// ioctl is variadic); 0 when `fd` is no terminal or the terminal does not say.
int devctl_terminal_columns(int fd);

/// prctl(PR_SET_CHILD_SUBREAPER, 1) (prctl is variadic, which Swift cannot call): orphans of this
/// process's descendants are reparented to it instead of to init. 0, or -1 and errno.
int devctl_become_subreaper(void);

/// pipe2(fds, O_CLOEXEC) (a GNU extension Swift's Glibc module does not show). 0, or -1 and errno.
int devctl_pipe_cloexec(int fds[2]);

/// fcntl(fd, F_SETPIPE_SZ, bytes): the pipe's new capacity, or -1 and errno.
int devctl_set_pipe_size(int fd, int bytes);

/// signalfd(-1, set, SFD_NONBLOCK | SFD_CLOEXEC) for the signals already blocked in `set`
/// (<sys/signalfd.h> is not in Swift's Glibc module). The descriptor, or -1 and errno.
int devctl_signalfd(const sigset_t *set);

/// The number of the next signal reported by a signalfd, or -1 (errno EAGAIN: none pending).
int devctl_signalfd_next(int fd);

#endif
