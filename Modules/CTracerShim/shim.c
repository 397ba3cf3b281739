#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include "tracer_shim.h"

#ifndef PTRACE_GET_SYSCALL_INFO
#define PTRACE_GET_SYSCALL_INFO 0x420e
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

// The kernel's layout (include/uapi/linux/ptrace.h), declared here so the shim does not
// depend on which libc headers carry it.
struct kernel_syscall_info {
    uint8_t op;
    uint8_t pad[3];
    uint32_t arch;
    uint64_t instruction_pointer;
    uint64_t stack_pointer;
    union {
        struct { uint64_t nr; uint64_t args[6]; } entry;
        struct { int64_t rval; uint8_t is_error; } exit;
        struct { uint64_t nr; uint64_t args[6]; uint32_t ret_data; } seccomp;
    };
};

struct named_call { const char *name; long number; };

static const struct named_call calls[] = {
#define CALL(name) { #name, SYS_##name },
#ifdef SYS_select
    CALL(select)
#endif
#ifdef SYS_poll
    CALL(poll)
#endif
#ifdef SYS_epoll_wait
    CALL(epoll_wait)
#endif
#ifdef SYS_epoll_create
    CALL(epoll_create)
#endif
#ifdef SYS_accept
    CALL(accept)
#endif
#ifdef SYS_dup2
    CALL(dup2)
#endif
    CALL(pselect6) CALL(ppoll) CALL(epoll_create1) CALL(epoll_ctl) CALL(epoll_pwait)
    CALL(epoll_pwait2) CALL(socket) CALL(bind) CALL(listen) CALL(accept4) CALL(connect)
    CALL(recvfrom) CALL(recvmsg) CALL(read) CALL(sendto) CALL(sendmsg) CALL(write)
    CALL(shutdown) CALL(close) CALL(setsockopt) CALL(dup) CALL(dup3) CALL(restart_syscall)
#undef CALL
};

long ts_syscall_number(const char *name) {
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        if (strcmp(calls[i].name, name) == 0) return calls[i].number;
    }
    return -1;
}

uint32_t ts_native_audit_arch(void) {
#if defined(__x86_64__)
    return AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
    return AUDIT_ARCH_AARCH64;
#else
#error "the tracer knows x86_64 and aarch64"
#endif
}

// Native calls in `syscalls` stop for the tracer; everything else (other architectures'
// calls included: a 32-bit program is not traced) runs untouched.
static struct sock_filter *build_filter(const long *syscalls, int count, unsigned short *length) {
    int extra = 0;
#if defined(__x86_64__)
    extra = 1;  // x32 calls (bit 30) are allowed, not mistaken for native ones
#endif
    int total = 3 + extra + count + 2;
    struct sock_filter *f = calloc((size_t)total, sizeof *f);
    if (!f || total > 250) { free(f); return NULL; }
    int allow = total - 2, trace = total - 1, i = 0;
    f[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
    f[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ts_native_audit_arch(), 0, (unsigned char)(allow - i - 1));
    i++;
    f[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
#if defined(__x86_64__)
    f[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, (unsigned char)(allow - i - 1), 0);
    i++;
#endif
    for (int k = 0; k < count; k++) {
        f[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)syscalls[k], (unsigned char)(trace - i - 1), 0);
        i++;
    }
    f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
    *length = (unsigned short)total;
    return f;
}

pid_t ts_spawn_traced(const char *path, char *const argv[], char *const envp[],
                      const long *syscalls, int count, unsigned long options, int output_fd, int error_fd,
                      int *exec_error_fd) {
    unsigned short length = 0;
    struct sock_filter *filter = build_filter(syscalls, count, &length);
    if (!filter) return -ENOMEM;
    struct sock_fprog program = { .len = length, .filter = filter };
    int gate[2], report[2];
    if (pipe2(gate, O_CLOEXEC) != 0) { int e = errno; free(filter); return -e; }
    if (pipe2(report, O_CLOEXEC) != 0) {
        int e = errno;
        close(gate[0]); close(gate[1]); free(filter);
        return -e;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(gate[0]); close(gate[1]); close(report[0]); close(report[1]); free(filter);
        return -e;
    }
    if (pid == 0) {
        // Child: async-signal-safe calls only.
        close(gate[1]);
        close(report[0]);
        if (output_fd >= 0) dup2(output_fd, STDOUT_FILENO);
        if (error_fd >= 0) dup2(error_fd, STDERR_FILENO);
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        if (getppid() != parent) _exit(127);
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        for (int sig = 1; sig < 32; sig++) {
            if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &dfl, NULL);
        }
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        // Wait until the tracer holds us: a traced call made before would fail with ENOSYS.
        char byte;
        while (read(gate[0], &byte, 1) < 0 && errno == EINTR) {}
        close(gate[0]);
        int error = 0;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) error = errno;
        if (!error && count > 0 && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program, 0, 0) != 0) error = errno;
        if (!error) {
            execve(path, argv, envp);
            error = errno;
        }
        while (write(report[1], &error, sizeof error) < 0 && errno == EINTR) {}
        _exit(127);
    }
    free(filter);
    close(gate[0]);
    close(report[1]);
    setpgid(pid, pid);
    if (ptrace(PTRACE_SEIZE, pid, 0, (void *)options) != 0) {
        int e = errno;
        kill(pid, SIGKILL);
        close(gate[1]);
        close(report[0]);
        int status;
        while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR) {}
        return -e;
    }
    close(gate[1]);
    *exec_error_fd = report[0];
    return pid;
}

long ts_seize(pid_t tid, unsigned long options) { return ptrace(PTRACE_SEIZE, tid, 0, (void *)options); }
long ts_interrupt(pid_t tid) { return ptrace(PTRACE_INTERRUPT, tid, 0, 0); }
long ts_syscall(pid_t tid, int sig) { return ptrace(PTRACE_SYSCALL, tid, 0, (void *)(long)sig); }
long ts_cont(pid_t tid, int sig) { return ptrace(PTRACE_CONT, tid, 0, (void *)(long)sig); }
long ts_listen(pid_t tid) { return ptrace(PTRACE_LISTEN, tid, 0, 0); }
long ts_detach(pid_t tid, int sig) { return ptrace(PTRACE_DETACH, tid, 0, (void *)(long)sig); }
long ts_geteventmsg(pid_t tid, unsigned long *message) { return ptrace(PTRACE_GETEVENTMSG, tid, 0, message); }

int ts_get_syscall_info(pid_t tid, ts_syscall_info *out) {
    struct kernel_syscall_info info;
    memset(&info, 0, sizeof info);
    long got = ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof info, &info);
    if (got < 0) return -1;
    memset(out, 0, sizeof *out);
    out->op = info.op;
    out->arch = info.arch;
    out->instruction_pointer = info.instruction_pointer;
    if (info.op == TS_OP_ENTRY || info.op == TS_OP_SECCOMP) {
        out->nr = info.entry.nr;
        memcpy(out->args, info.entry.args, sizeof out->args);
    } else if (info.op == TS_OP_EXIT) {
        out->rval = info.exit.rval;
        out->is_error = info.exit.is_error;
    }
    return 0;
}

unsigned long ts_option_sysgood(void) { return PTRACE_O_TRACESYSGOOD; }
unsigned long ts_option_fork(void) { return PTRACE_O_TRACEFORK; }
unsigned long ts_option_vfork(void) { return PTRACE_O_TRACEVFORK; }
unsigned long ts_option_clone(void) { return PTRACE_O_TRACECLONE; }
unsigned long ts_option_exec(void) { return PTRACE_O_TRACEEXEC; }
unsigned long ts_option_seccomp(void) { return PTRACE_O_TRACESECCOMP; }
unsigned long ts_option_exitkill(void) { return PTRACE_O_EXITKILL; }

long ts_read_memory(pid_t pid, uint64_t address, void *buffer, unsigned long length) {
    struct iovec local = { buffer, length };
    struct iovec remote = { (void *)(uintptr_t)address, length };
    return process_vm_readv(pid, &local, 1, &remote, 1, 0);
}

long ts_read_memory_ranges(pid_t pid, const uint64_t *addresses, const unsigned long *lengths, int count, void *buffer) {
    struct iovec remote[8];
    if (count < 1 || count > 8) { errno = EINVAL; return -1; }
    unsigned long total = 0;
    for (int i = 0; i < count; i++) {
        remote[i].iov_base = (void *)(uintptr_t)addresses[i];
        remote[i].iov_len = lengths[i];
        total += lengths[i];
    }
    struct iovec local = { buffer, total };
    return process_vm_readv(pid, &local, 1, remote, (unsigned long)count, 0);
}

int ts_write_memory(pid_t tid, uint64_t address, const void *buffer, unsigned long length) {
    struct iovec local = { (void *)buffer, length };
    struct iovec remote = { (void *)(uintptr_t)address, length };
    if (process_vm_writev(tid, &local, 1, &remote, 1, 0) == (ssize_t)length) return 0;
    // Word by word through ptrace, which may write where the program itself may not.
    const size_t word = sizeof(long);
    uint64_t start = address & ~(uint64_t)(word - 1);
    uint64_t end = address + length;
    for (uint64_t at = start; at < end; at += word) {
        errno = 0;
        long value = ptrace(PTRACE_PEEKDATA, tid, (void *)(uintptr_t)at, 0);
        if (errno != 0) return -1;
        unsigned char *bytes = (unsigned char *)&value;
        for (size_t k = 0; k < word; k++) {
            uint64_t target = at + k;
            if (target >= address && target < end) bytes[k] = ((const unsigned char *)buffer)[target - address];
        }
        if (ptrace(PTRACE_POKEDATA, tid, (void *)(uintptr_t)at, (void *)value) != 0) return -1;
    }
    return 0;
}

int ts_copy_fd(pid_t pid, int fd) {
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0) return -1;
    int copy = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
    int e = errno;
    close(pidfd);
    errno = e;
    return copy;  // pidfd_getfd sets O_CLOEXEC on the copy
}

pid_t ts_wait_any(int *status, int nohang) {
    return waitpid(-1, status, __WALL | (nohang ? WNOHANG : 0));
}

static void wakeup(int sig) { (void)sig; }

int ts_install_wakeup_handler(int sig) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = wakeup;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: waitpid returns EINTR
    return sigaction(sig, &action, NULL);
}

void *ts_start_thread_timer(int sig, long interval_ns) {
    struct sigevent event;
    memset(&event, 0, sizeof event);
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = sig;
    event._sigev_un._tid = (pid_t)syscall(SYS_gettid);  // sigev_notify_thread_id
    timer_t timer;
    if (timer_create(CLOCK_MONOTONIC, &event, &timer) != 0) return NULL;
    struct itimerspec every = {{interval_ns / 1000000000L, interval_ns % 1000000000L},
                               {interval_ns / 1000000000L, interval_ns % 1000000000L}};
    if (timer_settime(timer, 0, &every, NULL) != 0) {
        timer_delete(timer);
        return NULL;
    }
    return (void *)timer;
}

void ts_stop_thread_timer(void *timer) {
    if (timer) timer_delete((timer_t)timer);
}

int ts_wake_thread(unsigned long thread, int sig) { return pthread_kill((pthread_t)thread, sig); }
unsigned long ts_current_thread(void) { return (unsigned long)pthread_self(); }

int ts_mask_signals(int how, const int *signals, int count) {
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < count; i++) sigaddset(&set, signals[i]);
    return pthread_sigmask(how ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

int ts_wait_signal(const int *signals, int count) {
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < count; i++) sigaddset(&set, signals[i]);
    int sig = 0;
    if (sigwait(&set, &sig) != 0) return -1;
    return sig;
}

// The registers that hold a finished call's number and return value. The kernel decides
// whether to restart an interrupted call from the return value it finds on the way back to
// user mode, so a tracer that changes it there chooses the restart.
#if defined(__x86_64__)
#include <sys/user.h>
int ts_syscall_return(pid_t tid, long *number, long *value) {
    struct user_regs_struct regs;
    if (ptrace(PTRACE_GETREGS, tid, NULL, &regs) != 0) return -1;
    *number = (long)regs.orig_rax;
    *value = (long)regs.rax;
    return 0;
}

int ts_set_syscall_return(pid_t tid, long value) {
    struct user_regs_struct regs;
    if (ptrace(PTRACE_GETREGS, tid, NULL, &regs) != 0) return -1;
    regs.rax = (unsigned long long)value;
    return ptrace(PTRACE_SETREGS, tid, NULL, &regs) == 0 ? 0 : -1;
}

int ts_return_rewritable_after_exit_stop(void) { return 1; }
#elif defined(__aarch64__)
#include <elf.h>
#include <asm/ptrace.h>
static int get_regs(pid_t tid, struct user_pt_regs *regs) {
    struct iovec vector = { .iov_base = regs, .iov_len = sizeof *regs };
    return ptrace(PTRACE_GETREGSET, tid, (void *)NT_PRSTATUS, &vector) == 0 ? 0 : -1;
}

int ts_syscall_return(pid_t tid, long *number, long *value) {
    struct user_pt_regs regs;
    if (get_regs(tid, &regs) != 0) return -1;
    *number = (long)regs.regs[8];
    *value = (long)regs.regs[0];
    return 0;
}

int ts_set_syscall_return(pid_t tid, long value) {
    struct user_pt_regs regs;
    if (get_regs(tid, &regs) != 0) return -1;
    regs.regs[0] = (unsigned long long)value;
    struct iovec vector = { .iov_base = &regs, .iov_len = sizeof regs };
    return ptrace(PTRACE_SETREGSET, tid, (void *)NT_PRSTATUS, &vector) == 0 ? 0 : -1;
}

// arm64 decides on a restart before it takes the stops that follow a call's exit stop.
int ts_return_rewritable_after_exit_stop(void) { return 0; }
#else
int ts_syscall_return(pid_t tid, long *number, long *value) { (void)tid; (void)number; (void)value; errno = ENOSYS; return -1; }
int ts_set_syscall_return(pid_t tid, long value) { (void)tid; (void)value; errno = ENOSYS; return -1; }
int ts_return_rewritable_after_exit_stop(void) { return 0; }
#endif

// A stopped thread's argument register `index` (0-5), for a call the kernel is about to make
// again: what the restarted call is given.
#if defined(__x86_64__)
int ts_set_syscall_argument(pid_t tid, int index, long value) {
    struct user_regs_struct regs;
    if (ptrace(PTRACE_GETREGS, tid, NULL, &regs) != 0) return -1;
    unsigned long long *slots[6] = { &regs.rdi, &regs.rsi, &regs.rdx, &regs.r10, &regs.r8, &regs.r9 };
    if (index < 0 || index > 5) { errno = EINVAL; return -1; }
    *slots[index] = (unsigned long long)value;
    return ptrace(PTRACE_SETREGS, tid, NULL, &regs) == 0 ? 0 : -1;
}
#elif defined(__aarch64__)
int ts_set_syscall_argument(pid_t tid, int index, long value) {
    // x0 is the return value by now; the restart takes the first argument from orig_x0.
    if (index < 1 || index > 5) { errno = EINVAL; return -1; }
    struct user_pt_regs regs;
    if (get_regs(tid, &regs) != 0) return -1;
    regs.regs[index] = (unsigned long long)value;
    struct iovec vector = { .iov_base = &regs, .iov_len = sizeof regs };
    return ptrace(PTRACE_SETREGSET, tid, (void *)NT_PRSTATUS, &vector) == 0 ? 0 : -1;
}
#else
int ts_set_syscall_argument(pid_t tid, int index, long value) { (void)tid; (void)index; (void)value; errno = ENOSYS; return -1; }
#endif
