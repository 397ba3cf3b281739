#ifndef SELECTSCOPE_TRACER_SHIM_H
#define SELECTSCOPE_TRACER_SHIM_H
// ptrace, prctl and seccomp are variadic or macro-heavy, so Swift cannot call them; the
// steps between fork and exec of a traced child must be async-signal-safe C. No tracing
// logic lives here: only the calls, with errno left for the caller.
#include <stdint.h>
#include <sys/types.h>

/// The kernel's struct ptrace_syscall_info, flattened: entry and seccomp stops fill `nr`
/// and `args`, exit stops `rval` and `is_error`.
typedef struct {
    uint8_t op;  // TS_OP_*
    uint32_t arch;
    uint64_t instruction_pointer;
    uint64_t nr;
    uint64_t args[6];
    int64_t rval;
    uint8_t is_error;
} ts_syscall_info;

enum {
    TS_OP_NONE = 0, TS_OP_ENTRY = 1, TS_OP_EXIT = 2, TS_OP_SECCOMP = 3,
    TS_EVENT_FORK = 1, TS_EVENT_VFORK = 2, TS_EVENT_CLONE = 3, TS_EVENT_EXEC = 4,
    TS_EVENT_VFORK_DONE = 5, TS_EVENT_EXIT = 6, TS_EVENT_SECCOMP = 7, TS_EVENT_STOP = 128,
};

/// The syscall number of `name` ("pselect6") on this architecture, or -1 if it has none
/// (aarch64 has no select, poll or epoll_wait).
long ts_syscall_number(const char *name);
/// AUDIT_ARCH_* of the architecture this tracer was built for.
uint32_t ts_native_audit_arch(void);

/// Starts `path` with `argv`/`envp` stopped only at the given syscalls (a seccomp filter
/// returning SECCOMP_RET_TRACE; all other calls run untraced), in a process group of its
/// own, killed with its tracer. The child is PTRACE_SEIZEd with `options` before it
/// execs. Returns the pid, or -errno. `exec_error_fd` receives a pipe's read end on which
/// the child writes its errno if exec fails (closed on success by O_CLOEXEC). `output_fd`
/// and `error_fd`, when not -1, become the child's stdout and stderr (the dashboard shows
/// them; a program's last stderr lines say why it ended).
pid_t ts_spawn_traced(const char *path, char *const argv[], char *const envp[],
                      const long *syscalls, int count, unsigned long options, int output_fd, int error_fd,
                      int *exec_error_fd);

long ts_seize(pid_t tid, unsigned long options);
long ts_interrupt(pid_t tid);
long ts_syscall(pid_t tid, int sig);
long ts_cont(pid_t tid, int sig);
long ts_listen(pid_t tid);
long ts_detach(pid_t tid, int sig);
long ts_geteventmsg(pid_t tid, unsigned long *message);
/// PTRACE_GET_SYSCALL_INFO into the flat struct; 0 or -1 with errno.
int ts_get_syscall_info(pid_t tid, ts_syscall_info *out);

/// A stopped thread's last call number and the value it returns (from its registers: a stop
/// on the way back from a call other than its exit stop has no syscall info). 0, or -1 with errno.
int ts_syscall_return(pid_t tid, long *number, long *value);
/// Changes the value a stopped thread's call returns. 0, or -1 with errno.
int ts_set_syscall_return(pid_t tid, long value);
/// 1 where a changed return value still decides a restart at stops after the exit stop (a
/// PTRACE_INTERRUPT stop on the way back: x86_64), 0 where only the exit stop can (aarch64).
int ts_return_rewritable_after_exit_stop(void);
/// Changes argument `index` (1-5; 0 too on x86_64) of a stopped thread's call before the
/// kernel restarts it. 0, or -1 with errno.
int ts_set_syscall_argument(pid_t tid, int index, long value);

unsigned long ts_option_sysgood(void);
unsigned long ts_option_fork(void);
unsigned long ts_option_vfork(void);
unsigned long ts_option_clone(void);
unsigned long ts_option_exec(void);
unsigned long ts_option_seccomp(void);
unsigned long ts_option_exitkill(void);

/// process_vm_readv: bytes read (possibly short) or -1 with errno.
long ts_read_memory(pid_t pid, uint64_t address, void *buffer, unsigned long length);
/// One process_vm_readv for several remote ranges, laid end to end in `buffer`: bytes read
/// (short if a range is unreadable: the kernel stops at the first one that fails) or -1.
long ts_read_memory_ranges(pid_t pid, const uint64_t *addresses, const unsigned long *lengths, int count, void *buffer);
/// process_vm_writev, falling back to PTRACE_POKEDATA (which can write to read-only pages,
/// where a program may keep a constant sockaddr). 0 or -1 with errno. `tid` must be stopped.
int ts_write_memory(pid_t tid, uint64_t address, const void *buffer, unsigned long length);

/// A copy of `fd` of process `pid` in this process (pidfd_getfd, O_CLOEXEC), or -1.
int ts_copy_fd(pid_t pid, int fd);

/// waitpid(-1, status, __WALL): the next stop or exit of any tracee.
pid_t ts_wait_any(int *status, int nohang);

/// Installs an empty handler for `sig` without SA_RESTART, so the signal only interrupts a
/// blocking call (the tracer's waitpid) of the thread that receives it.
int ts_install_wakeup_handler(int sig);
/// Sends `sig` to the calling thread every `interval_ns` nanoseconds: a POSIX timer aimed at
/// this thread, so no other thread wakes for it. Returns a handle for `ts_stop_thread_timer`,
/// or NULL with errno.
void *ts_start_thread_timer(int sig, long interval_ns);
void ts_stop_thread_timer(void *timer);
/// Sends `sig` to one thread of this process.
int ts_wake_thread(unsigned long thread, int sig);
unsigned long ts_current_thread(void);
/// Blocks (how 1) or unblocks (how 0) the given signals for the calling thread.
int ts_mask_signals(int how, const int *signals, int count);
/// Waits for one of `signals` (blocked in every thread); returns it or -1.
int ts_wait_signal(const int *signals, int count);

#endif
