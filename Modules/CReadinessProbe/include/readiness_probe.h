#ifndef SELECTSCOPE_READINESS_PROBE_H
#define SELECTSCOPE_READINESS_PROBE_H
// Reads a program's readiness calls in the kernel, without stopping it: a BPF program on the
// syscall tracepoints of select, pselect6, poll, ppoll, the epoll waits and epoll_ctl copies
// each call's arguments and the memory they point at (the fd_sets, the pollfd array, the
// ready list) at entry and at exit into a ring this process reads; listen, close and
// epoll_create come with their arguments and results. Only processes added with
// `ts_probe_watch` are read. Needs root (CAP_BPF and CAP_PERFMON) and tracefs.
#include <stdint.h>

typedef struct ts_probe ts_probe;

/// One call's entry or exit in the ring: fields at these byte offsets, little-endian.
enum {
    TS_PROBE_KIND = 0,      // u32: TS_PROBE_ENTRY or TS_PROBE_EXIT
    TS_PROBE_NR = 4,        // u32: the system call (restart_syscall for a resumed poll/epoll wait)
    TS_PROBE_TID = 8,       // u32
    TS_PROBE_TGID = 12,     // u32
    TS_PROBE_TIME = 16,     // u64: CLOCK_MONOTONIC nanoseconds
    TS_PROBE_RESULT = 24,   // i64: the return value (exit)
    TS_PROBE_CALL = 32,     // u64: the call the arguments belong to (at exit: the one entered)
    TS_PROBE_ARGS = 40,     // 6 × u64
    TS_PROBE_ADDRESSES = 88,  // 4 × u64: where each memory segment was read
    TS_PROBE_LENGTHS = 120,   // 4 × u32: its bytes, 0 if absent, TS_PROBE_UNREADABLE
    TS_PROBE_SLOT = 136,    // u32: the size of segments 1-3
    TS_PROBE_SEGMENT0 = 144,  // 16 bytes: a timeout or an epoll_event
    TS_PROBE_SEGMENTS = 160,  // segments 1-3, each TS_PROBE_SLOT bytes apart
    TS_PROBE_ENTRY = 1,
    TS_PROBE_EXIT = 2,
};
#define TS_PROBE_UNREADABLE 0xffffffffu

/// What the kernel program copies at most: fd_sets of nfds ≤ TS_PROBE_MAX_NFDS (all the
/// decoder accepts), and this many bytes of a pollfd array (3,072 entries) or a ready list
/// (2,048 events on x86_64). The record is built in a per-CPU map value, which the kernel
/// limits to 32 KiB.
#define TS_PROBE_MAX_NFDS 65536
#define TS_PROBE_MAX_ARRAY 24576

/// Loads and attaches the program. NULL when the kernel refuses, with the reason in `why`.
ts_probe *ts_probe_open(char *why, int why_size);
/// Reads this process's calls from now on (0, or -1 with errno).
int ts_probe_watch(ts_probe *probe, int32_t pid);
int ts_probe_unwatch(ts_probe *probe, int32_t pid);
/// The oldest unread record, valid until `ts_probe_release`; NULL when none is complete.
const void *ts_probe_next(ts_probe *probe, uint32_t *length);
/// Gives the record `ts_probe_next` returned back to the kernel.
void ts_probe_release(ts_probe *probe);
/// Bytes written to the ring and not yet read: how far the reader is behind.
uint64_t ts_probe_waiting(ts_probe *probe);
/// The ring's size in bytes.
#define TS_PROBE_RING_BYTES (8u << 20)
/// Records the kernel could not write (the ring was full) so far.
uint64_t ts_probe_lost(ts_probe *probe);
/// Detaches the program and frees everything.
void ts_probe_close(ts_probe *probe);

#endif
