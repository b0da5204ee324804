#define _GNU_SOURCE
#include "CDevctlShims.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* The kernel's sigaction layout for rt_sigaction: handler, flags, restorer, mask (64 bits). */
struct kernel_sigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    uint64_t mask;
};

/* What the child reports through the pipe when a step fails. */
struct child_failure {
    int step;
    int error;
};

static const char *const step_names[] = {"clone3", "cgroup", "setsid", "signals", "stdin", "stdout", "stderr",
                                         "close", "chdir", "exec"};
enum { STEP_CLONE, STEP_CGROUP, STEP_SETSID, STEP_SIGNALS, STEP_STDIN, STEP_STDOUT, STEP_STDERR, STEP_CLOSE,
       STEP_CHDIR, STEP_EXEC };

/* Only async-signal-safe calls from here on: the child of a multithreaded parent. */
static void fail(int pipe_fd, int step) {
    struct child_failure failure = {step, errno};
    ssize_t ignored = write(pipe_fd, &failure, sizeof failure);
    (void)ignored;
    _exit(127);
}

static void write_pid(int fd, int pipe_fd) {
    char digits[24];
    int length = 0;
    long pid = syscall(SYS_getpid);
    char reversed[24];
    do {
        reversed[length++] = (char)('0' + pid % 10);
        pid /= 10;
    } while (pid > 0);
    for (int i = 0; i < length; i++) digits[i] = reversed[length - 1 - i];
    if (write(fd, digits, (size_t)length) != length) fail(pipe_fd, STEP_CGROUP);
}

static void redirect(int from, int to, int pipe_fd, int step) {
    int fd = from;
    if (from < 0) {
        fd = open("/dev/null", to == 0 ? O_RDONLY : O_WRONLY);
        if (fd < 0) fail(pipe_fd, step);
    }
    if (fd != to && dup2(fd, to) < 0) fail(pipe_fd, step);
}

static void become_service(const char *path, char *const argv[], char *const envp[], const char *cwd, int stdout_fd,
                           int stderr_fd, int cgroup_procs_fd, int pipe_fd) {
    if (cgroup_procs_fd >= 0) write_pid(cgroup_procs_fd, pipe_fd);
    if (setsid() < 0) fail(pipe_fd, STEP_SETSID);
    struct kernel_sigaction deflt = {SIG_DFL, 0, NULL, 0};
    for (int sig = 1; sig <= 64; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        if (syscall(SYS_rt_sigaction, sig, &deflt, NULL, sizeof(uint64_t)) != 0 && errno != EINVAL) fail(pipe_fd, STEP_SIGNALS);
    }
    uint64_t empty = 0;
    if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty, NULL, sizeof empty) != 0) fail(pipe_fd, STEP_SIGNALS);
    /* Move the pipe above the standard descriptors before they are replaced. */
    if (pipe_fd <= 2) {
        int moved = fcntl(pipe_fd, F_DUPFD_CLOEXEC, 3);
        if (moved < 0) fail(pipe_fd, STEP_CLOSE);
        pipe_fd = moved;
    }
    redirect(stdout_fd, 1, pipe_fd, STEP_STDOUT);
    redirect(stderr_fd, 2, pipe_fd, STEP_STDERR);
    redirect(-1, 0, pipe_fd, STEP_STDIN);
    /* Everything above 2 goes, except the close-on-exec pipe, which exec closes. */
    for (int fd = 3; fd < pipe_fd; fd++) close(fd);
    if (syscall(SYS_close_range, (unsigned)pipe_fd + 1, ~0U, 0) != 0) {
        long limit = sysconf(_SC_OPEN_MAX);
        for (long fd = pipe_fd + 1; fd < (limit > 0 && limit < 65536 ? limit : 65536); fd++) close((int)fd);
    }
    if (cwd != NULL && chdir(cwd) != 0) fail(pipe_fd, STEP_CHDIR);
    execve(path, argv, envp);
    fail(pipe_fd, STEP_EXEC);
}

int devctl_spawn_contained(pid_t *pid, const char *path, char *const argv[], char *const envp[], const char *cwd,
                           int stdout_fd, int stderr_fd, int cgroup_fd, int cgroup_procs_fd, const char **failed_step) {
    int fds[2];
    *failed_step = "pipe";
    if (pipe2(fds, O_CLOEXEC) != 0) return errno;
    long child = -1;
    int joined = 0;
    if (cgroup_fd >= 0) {
        struct clone_args args;
        memset(&args, 0, sizeof args);
        args.flags = CLONE_INTO_CGROUP;
        args.exit_signal = SIGCHLD;
        args.cgroup = (uint64_t)cgroup_fd;
        child = syscall(SYS_clone3, &args, sizeof args);
        if (child >= 0) joined = 1;
        /* An older kernel (no clone3, or no CLONE_INTO_CGROUP): the child joins by writing. */
        else if (errno != ENOSYS && errno != E2BIG && errno != EINVAL) {
            int error = errno;
            close(fds[0]);
            close(fds[1]);
            *failed_step = step_names[STEP_CLONE];
            return error;
        }
    }
    if (child < 0) child = fork();
    if (child < 0) {
        int error = errno;
        close(fds[0]);
        close(fds[1]);
        *failed_step = "fork";
        return error;
    }
    if (child == 0) {
        close(fds[0]);
        become_service(path, argv, envp, cwd, stdout_fd, stderr_fd, joined ? -1 : cgroup_procs_fd, fds[1]);
    }
    close(fds[1]);
    struct child_failure failure;
    ssize_t got;
    do {
        got = read(fds[0], &failure, sizeof failure);
    } while (got < 0 && errno == EINTR);
    close(fds[0]);
    if (got == (ssize_t)sizeof failure) {
        int status;
        while (waitpid((pid_t)child, &status, 0) < 0 && errno == EINTR) {}
        *failed_step = step_names[failure.step];
        return failure.error;
    }
    *pid = (pid_t)child;
    *failed_step = NULL;
    return 0;
}
