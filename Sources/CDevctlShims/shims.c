#define _GNU_SOURCE
#include "CDevctlShims.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef POSIX_SPAWN_SETSID
#define POSIX_SPAWN_SETSID 0x80
#endif

static int redirect(posix_spawn_file_actions_t *actions, int from, int to) {
    if (from < 0) return posix_spawn_file_actions_addopen(actions, to, "/dev/null", O_WRONLY, 0);
    return posix_spawn_file_actions_adddup2(actions, from, to);
}

static int spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                 const char *cwd, int stdout_fd, int stderr_fd, short session_flag) {
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
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | session_flag;
    if (session_flag == POSIX_SPAWN_SETPGROUP) posix_spawnattr_setpgroup(&attr, 0);
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

int devctl_spawn_session_leader(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                                const char *cwd, int stdout_fd, int stderr_fd) {
    return spawn(pid, path, argv, envp, cwd, stdout_fd, stderr_fd, POSIX_SPAWN_SETSID);
}

int devctl_spawn_grouped(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                         const char *cwd, int stdout_fd, int stderr_fd) {
    return spawn(pid, path, argv, envp, cwd, stdout_fd, stderr_fd, POSIX_SPAWN_SETPGROUP);
}

int devctl_pidfd_open(pid_t pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

int devctl_pidfd_send_signal(int pidfd, int sig) {
    return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}
