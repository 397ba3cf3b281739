#define _GNU_SOURCE
#include "readiness_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <unistd.h>

// The kernel program is written here as instructions (no compiler for BPF on these machines).
// Two programs: one on every traced call's entry tracepoint, one on every exit. Each keeps
// only the processes in `pids`, fills a per-CPU scratch record and copies it to the ring.

#define RING_BYTES TS_PROBE_RING_BYTES
#define SCRATCH_BYTES (TS_PROBE_SEGMENTS + TS_PROBE_MAX_ARRAY)
#define CALL_SLOTS 65536  // entered calls, by tid modulo this (the tid is checked at exit)
#define CALL_BYTES 64     // u32 tid, u32 pad, u64 call, u64 args[6]
#define MAX_INSNS 1024

#if defined(__x86_64__)
#define EPOLL_EVENT_BYTES 12
#else
#define EPOLL_EVENT_BYTES 16
#endif

#ifndef SYS_select
#define SYS_select -1
#endif
#ifndef SYS_poll
#define SYS_poll -1
#endif
#ifndef SYS_epoll_wait
#define SYS_epoll_wait -1
#endif
#ifndef SYS_epoll_create
#define SYS_epoll_create -1
#endif
#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

/// What the entry program copies of a call's memory.
enum at_entry {
    ENTRY_NOTHING,  // 0: the dispatch skips it
    ENTRY_SELECT,      // the timeout (argument 4) and the three sets
    ENTRY_POLL,        // the pollfd array (argument 0, argument 1 entries)
    ENTRY_PPOLL,       // the timeout (argument 2) and the pollfd array
    ENTRY_TIMEOUT_3,   // the timeout (argument 3: epoll_pwait2)
    ENTRY_EPOLL_EVENT, // the epoll_event (argument 3: epoll_ctl)
    ENTRY_KINDS
};

/// What the exit program copies of what the kernel wrote back, when the call returned > 0.
enum at_exit {
    EXIT_NOTHING,  // 0: the dispatch skips it
    EXIT_SETS,         // the three sets
    EXIT_POLLFDS,      // the pollfd array with its revents
    EXIT_READY_LIST,   // the ready list (argument 1, the result's count of epoll_events)
    EXIT_KINDS
};

static const struct {
    const char *name;
    long number;  // -1: this architecture has no such call
    int arguments;  // its entry tracepoint has these: the kernel refuses a program reading past them
    enum at_entry entry;
    enum at_exit exit;
} traced_calls[] = {
    {"select", SYS_select, 5, ENTRY_SELECT, EXIT_SETS},
    {"pselect6", SYS_pselect6, 6, ENTRY_SELECT, EXIT_SETS},
    {"poll", SYS_poll, 3, ENTRY_POLL, EXIT_POLLFDS},
    {"ppoll", SYS_ppoll, 5, ENTRY_PPOLL, EXIT_POLLFDS},
    {"epoll_wait", SYS_epoll_wait, 4, ENTRY_NOTHING, EXIT_READY_LIST},
    {"epoll_pwait", SYS_epoll_pwait, 6, ENTRY_NOTHING, EXIT_READY_LIST},
    {"epoll_pwait2", SYS_epoll_pwait2, 6, ENTRY_TIMEOUT_3, EXIT_READY_LIST},
    {"epoll_ctl", SYS_epoll_ctl, 4, ENTRY_EPOLL_EVENT, EXIT_NOTHING},
    // A poll or epoll wait resumed after a stop: its exit is the resumed call's (the exit
    // program copies by the call entered, kept per thread).
    {"restart_syscall", SYS_restart_syscall, 0, ENTRY_NOTHING, EXIT_NOTHING},
    // What the records need besides: the listener, epoll sets made and fds closed (the
    // kernel drops a closed fd from every epoll set).
    {"listen", SYS_listen, 2, ENTRY_NOTHING, EXIT_NOTHING},
    {"close", SYS_close, 1, ENTRY_NOTHING, EXIT_NOTHING},
    {"epoll_create", SYS_epoll_create, 1, ENTRY_NOTHING, EXIT_NOTHING},
    {"epoll_create1", SYS_epoll_create1, 1, ENTRY_NOTHING, EXIT_NOTHING},
};
#define TRACED_COUNT ((int)(sizeof(traced_calls) / sizeof(traced_calls[0])))

struct ts_probe {
    int pids, calls, scratch, lost, ring;
    int enter_programs[7];  // by the number of arguments read
    int exit_program;
    int events[2 * TRACED_COUNT];
    int event_count;
    void *consumer_page, *producer_pages;
    unsigned long *consumer_position;
    const unsigned long *producer_position;
    const uint8_t *data;
    unsigned long mask, position, pending;
    size_t page;
};

// MARK: - Instructions

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define MOV_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV32_REG(d, s) INSN(BPF_ALU | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV32_IMM(d, i) INSN(BPF_ALU | BPF_MOV | BPF_K, d, 0, 0, i)
#define ALU_IMM(op, d, i) INSN(BPF_ALU64 | (op) | BPF_K, d, 0, 0, i)
#define ALU_REG(op, d, s) INSN(BPF_ALU64 | (op) | BPF_X, d, s, 0, 0)
#define LOAD(size, d, s, off) INSN(BPF_LDX | (size) | BPF_MEM, d, s, off, 0)
#define STORE(size, d, s, off) INSN(BPF_STX | (size) | BPF_MEM, d, s, off, 0)
#define STORE_IMM(size, d, off, i) INSN(BPF_ST | (size) | BPF_MEM, d, 0, off, i)
#define JUMP_IMM(op, d, i) INSN(BPF_JMP | (op) | BPF_K, d, 0, 0, i)
#define JUMP_REG(op, d, s) INSN(BPF_JMP | (op) | BPF_X, d, s, 0, 0)
#define JUMP() INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0)
#define CALL(f) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define ATOMIC_ADD(d, s, off) INSN(BPF_STX | BPF_DW | BPF_ATOMIC, d, s, off, BPF_ADD)

enum { R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, FP };

typedef struct {
    struct bpf_insn code[MAX_INSNS];
    int count;
    int overflow;
} program;

static int emit(program *p, struct bpf_insn insn) {
    if (p->count >= MAX_INSNS) {
        p->overflow = 1;
        return MAX_INSNS - 1;
    }
    p->code[p->count] = insn;
    return p->count++;
}

static void emit_map(program *p, int reg, int fd) {
    emit(p, INSN(BPF_LD | BPF_DW | BPF_IMM, reg, BPF_PSEUDO_MAP_FD, 0, fd));
    emit(p, INSN(0, 0, 0, 0, 0));
}

/// Points the jump at `at` here.
static void land(program *p, int at) { p->code[at].off = (int16_t)(p->count - at - 1); }

/// A list of jumps that all land at one place, emitted later.
typedef struct {
    int at[32];
    int count;
} jumps;

static void add_jump(jumps *list, int at) {
    if (list->count < 32) list->at[list->count++] = at;
}

static void land_all(program *p, jumps *list) {
    for (int i = 0; i < list->count; i++) land(p, list->at[i]);
    list->count = 0;
}

/// r0 = the value at the key stored at fp + `key` in `map`; jumps to `missing` if there is none.
static void emit_lookup(program *p, int map, int key, jumps *missing) {
    emit_map(p, R1, map);
    emit(p, MOV_REG(R2, FP));
    emit(p, ALU_IMM(BPF_ADD, R2, key));
    emit(p, CALL(BPF_FUNC_map_lookup_elem));
    add_jump(missing, emit(p, JUMP_IMM(BPF_JEQ, R0, 0)));
}

// Registers: r6 the tracepoint's context, r7 pid_tgid then the segment size, r8 the scratch
// record, r9 the call's number.
#define ARG(i) (TS_PROBE_ARGS + 8 * (i))

/// Keeps only watched processes and fills the record's header; jumps to `out` otherwise.
static void emit_header(program *p, const struct ts_probe *probe, int kind, jumps *out) {
    emit(p, MOV_REG(R6, R1));
    emit(p, CALL(BPF_FUNC_get_current_pid_tgid));
    emit(p, MOV_REG(R7, R0));
    emit(p, MOV_REG(R1, R7));
    emit(p, ALU_IMM(BPF_RSH, R1, 32));
    emit(p, STORE(BPF_W, FP, R1, -4));
    emit_lookup(p, probe->pids, -4, out);
    emit(p, STORE_IMM(BPF_W, FP, -8, 0));
    emit_lookup(p, probe->scratch, -8, out);
    emit(p, MOV_REG(R8, R0));
    emit(p, LOAD(BPF_W, R9, R6, 8));  // __syscall_nr
    emit(p, STORE_IMM(BPF_W, R8, TS_PROBE_KIND, kind));
    emit(p, STORE(BPF_W, R8, R9, TS_PROBE_NR));
    emit(p, STORE(BPF_W, R8, R7, TS_PROBE_TID));
    emit(p, MOV_REG(R1, R7));
    emit(p, ALU_IMM(BPF_RSH, R1, 32));
    emit(p, STORE(BPF_W, R8, R1, TS_PROBE_TGID));
    emit(p, CALL(BPF_FUNC_ktime_get_ns));
    emit(p, STORE(BPF_DW, R8, R0, TS_PROBE_TIME));
    for (int off = TS_PROBE_RESULT; off < TS_PROBE_SEGMENT0; off += 8) emit(p, STORE_IMM(BPF_DW, R8, off, 0));
}

/// The calls-by-tid slot of this thread in r0 (jumps to `missing` if the lookup fails).
static void emit_call_slot(program *p, const struct ts_probe *probe, jumps *missing) {
    emit(p, MOV_REG(R1, R7));
    emit(p, ALU_IMM(BPF_AND, R1, CALL_SLOTS - 1));
    emit(p, STORE(BPF_W, FP, R1, -12));
    emit_lookup(p, probe->calls, -12, missing);
}

/// Reads `size` (a register, bounded) bytes at argument `arg` into the record at
/// `destination` + `extra` × r7, noting the address and the length of segment `segment`.
static void emit_read(program *p, int arg, int segment, int destination, int extra, int size_reg, int size_imm) {
    jumps skip = {0};
    emit(p, LOAD(BPF_DW, R3, R8, ARG(arg)));
    emit(p, STORE(BPF_DW, R8, R3, TS_PROBE_ADDRESSES + 8 * segment));
    add_jump(&skip, emit(p, JUMP_IMM(BPF_JEQ, R3, 0)));
    if (size_reg >= 0) add_jump(&skip, emit(p, JUMP_IMM(BPF_JEQ, size_reg, 0)));
    emit(p, MOV_REG(R1, R8));
    emit(p, ALU_IMM(BPF_ADD, R1, destination));
    for (int i = 0; i < extra; i++) emit(p, ALU_REG(BPF_ADD, R1, R7));
    if (size_reg >= 0) emit(p, MOV_REG(R2, size_reg)); else emit(p, MOV_IMM(R2, size_imm));
    emit(p, CALL(BPF_FUNC_probe_read_user));
    if (size_reg >= 0) emit(p, MOV32_REG(R1, size_reg)); else emit(p, MOV32_IMM(R1, size_imm));
    emit(p, INSN(BPF_JMP | BPF_JEQ | BPF_K, R0, 0, 1, 0));
    emit(p, MOV32_IMM(R1, -1));
    emit(p, STORE(BPF_W, R8, R1, TS_PROBE_LENGTHS + 4 * segment));
    land_all(p, &skip);
}

/// select's three sets: r7 = their size from nfds (0 when out of range), each read.
static void emit_sets(program *p, jumps *output_three) {
    jumps none = {0};
    emit(p, MOV_IMM(R7, 0));
    emit(p, LOAD(BPF_DW, R1, R8, ARG(0)));
    emit(p, ALU_IMM(BPF_LSH, R1, 32));
    emit(p, ALU_IMM(BPF_ARSH, R1, 32));
    add_jump(&none, emit(p, JUMP_IMM(BPF_JSLT, R1, 0)));
    add_jump(&none, emit(p, JUMP_IMM(BPF_JSGT, R1, TS_PROBE_MAX_NFDS)));
    emit(p, ALU_IMM(BPF_ADD, R1, 63));
    emit(p, ALU_IMM(BPF_RSH, R1, 6));
    emit(p, ALU_IMM(BPF_LSH, R1, 3));
    emit(p, MOV_REG(R7, R1));
    add_jump(&none, emit(p, JUMP_IMM(BPF_JGT, R7, TS_PROBE_MAX_NFDS / 8)));
    for (int set = 0; set < 3; set++) emit_read(p, 1 + set, 1 + set, TS_PROBE_SEGMENTS, set, R7, 0);
    add_jump(output_three, emit(p, JUMP()));
    land_all(p, &none);
    emit(p, MOV_IMM(R7, 0));
    add_jump(output_three, emit(p, JUMP()));
}

/// An array at argument `arg` of (r1) bytes, into segment 1; too long: unreadable.
static void emit_array(program *p, int arg, jumps *output_one) {
    jumps too_long = {0};
    emit(p, MOV_IMM(R7, 0));
    add_jump(&too_long, emit(p, JUMP_IMM(BPF_JGT, R1, TS_PROBE_MAX_ARRAY)));
    emit(p, MOV_REG(R7, R1));
    emit_read(p, arg, 1, TS_PROBE_SEGMENTS, 0, R7, 0);
    add_jump(output_one, emit(p, JUMP()));
    land_all(p, &too_long);
    emit(p, LOAD(BPF_DW, R3, R8, ARG(arg)));
    emit(p, STORE(BPF_DW, R8, R3, TS_PROBE_ADDRESSES + 8));
    emit(p, MOV32_IMM(R1, -1));
    emit(p, STORE(BPF_W, R8, R1, TS_PROBE_LENGTHS + 4));
    emit(p, MOV_IMM(R7, 0));
    add_jump(output_one, emit(p, JUMP()));
}

/// Jumps to `targets[kind]` by the call in r9, the kind being what the table says the entry
/// (or the exit) program copies of it. Calls this architecture lacks and calls with nothing
/// to copy (kind 0) fall through.
static void emit_dispatch(program *p, int at_entry, jumps *targets) {
    for (int i = 0; i < TRACED_COUNT; i++) {
        int kind = at_entry ? (int)traced_calls[i].entry : (int)traced_calls[i].exit;
        if (traced_calls[i].number < 0 || kind == 0) continue;
        add_jump(&targets[kind], emit(p, JUMP_IMM(BPF_JEQ, R9, (int32_t)traced_calls[i].number)));
    }
}

/// The record to the ring: the header and r7 × `slots` bytes of segments.
static void emit_output(program *p, const struct ts_probe *probe, int slots, jumps *out) {
    emit(p, STORE(BPF_W, R8, R7, TS_PROBE_SLOT));
    emit(p, MOV_REG(R3, R7));
    if (slots > 1) emit(p, ALU_IMM(BPF_MUL, R3, slots));
    emit(p, ALU_IMM(BPF_ADD, R3, TS_PROBE_SEGMENTS));
    emit_map(p, R1, probe->ring);
    emit(p, MOV_REG(R2, R8));
    emit(p, MOV_IMM(R4, BPF_RB_NO_WAKEUP));
    emit(p, CALL(BPF_FUNC_ringbuf_output));
    add_jump(out, emit(p, JUMP_IMM(BPF_JEQ, R0, 0)));
    emit(p, STORE_IMM(BPF_W, FP, -8, 0));
    emit_lookup(p, probe->lost, -8, out);
    emit(p, MOV_IMM(R1, 1));
    emit(p, ATOMIC_ADD(R0, R1, 0));
    add_jump(out, emit(p, JUMP()));
}

static void emit_return(program *p, jumps *out) {
    land_all(p, out);
    emit(p, MOV_IMM(R0, 0));
    emit(p, EXIT());
}

/// At entry: the arguments, kept for the exit, and what they point at.
static void build_entry(program *p, const struct ts_probe *probe, int arguments) {
    jumps out = {0}, no_slot = {0}, one = {0}, three = {0};
    jumps copy[ENTRY_KINDS] = {{0}};
    emit_header(p, probe, TS_PROBE_ENTRY, &out);
    emit(p, STORE(BPF_DW, R8, R9, TS_PROBE_CALL));
    for (int i = 0; i < arguments; i++) {
        emit(p, LOAD(BPF_DW, R1, R6, 16 + 8 * i));
        emit(p, STORE(BPF_DW, R8, R1, ARG(i)));
    }
    for (int i = arguments; i < 6; i++) emit(p, STORE_IMM(BPF_DW, R8, ARG(i), 0));
    // A resumed call keeps the arguments of the call it resumes.
    add_jump(&no_slot, emit(p, JUMP_IMM(BPF_JEQ, R9, SYS_restart_syscall)));
    emit_call_slot(p, probe, &no_slot);
    emit(p, STORE(BPF_W, R0, R7, 0));
    emit(p, STORE(BPF_DW, R0, R9, 8));
    for (int i = 0; i < 6; i++) {
        emit(p, LOAD(BPF_DW, R1, R8, ARG(i)));
        emit(p, STORE(BPF_DW, R0, R1, 16 + 8 * i));
    }
    land_all(p, &no_slot);
    emit(p, MOV_IMM(R7, 0));
    emit_dispatch(p, 1, copy);
    add_jump(&one, emit(p, JUMP()));

    land_all(p, &copy[ENTRY_SELECT]);
    emit_read(p, 4, 0, TS_PROBE_SEGMENT0, 0, -1, 16);
    emit_sets(p, &three);
    land_all(p, &copy[ENTRY_PPOLL]);
    emit_read(p, 2, 0, TS_PROBE_SEGMENT0, 0, -1, 16);
    land_all(p, &copy[ENTRY_POLL]);
    emit(p, LOAD(BPF_DW, R1, R8, ARG(1)));
    emit(p, ALU_IMM(BPF_LSH, R1, 3));
    emit_array(p, 0, &one);
    land_all(p, &copy[ENTRY_TIMEOUT_3]);
    emit_read(p, 3, 0, TS_PROBE_SEGMENT0, 0, -1, 16);
    add_jump(&one, emit(p, JUMP()));
    land_all(p, &copy[ENTRY_EPOLL_EVENT]);
    emit_read(p, 3, 0, TS_PROBE_SEGMENT0, 0, -1, EPOLL_EVENT_BYTES);
    add_jump(&one, emit(p, JUMP()));

    land_all(p, &three);
    emit_output(p, probe, 3, &out);
    land_all(p, &one);
    emit_output(p, probe, 1, &out);
    emit_return(p, &out);
}

/// At exit: the result, the entered call's arguments, and what the kernel wrote back.
static void build_exit(program *p, const struct ts_probe *probe) {
    jumps out = {0}, header_only = {0}, one = {0}, three = {0};
    jumps copy[EXIT_KINDS] = {{0}};
    emit_header(p, probe, TS_PROBE_EXIT, &out);
    emit(p, LOAD(BPF_DW, R1, R6, 16));
    emit(p, STORE(BPF_DW, R8, R1, TS_PROBE_RESULT));
    emit_call_slot(p, probe, &header_only);
    emit(p, LOAD(BPF_W, R1, R0, 0));
    emit(p, MOV32_REG(R2, R7));
    add_jump(&header_only, emit(p, JUMP_REG(BPF_JNE, R1, R2)));
    emit(p, LOAD(BPF_DW, R9, R0, 8));
    emit(p, STORE(BPF_DW, R8, R9, TS_PROBE_CALL));
    for (int i = 0; i < 6; i++) {
        emit(p, LOAD(BPF_DW, R1, R0, 16 + 8 * i));
        emit(p, STORE(BPF_DW, R8, R1, ARG(i)));
    }
    emit(p, LOAD(BPF_DW, R1, R8, TS_PROBE_RESULT));
    add_jump(&header_only, emit(p, JUMP_IMM(BPF_JSLE, R1, 0)));
    emit_dispatch(p, 0, copy);
    land_all(p, &header_only);
    emit(p, MOV_IMM(R7, 0));
    add_jump(&one, emit(p, JUMP()));

    land_all(p, &copy[EXIT_SETS]);
    emit_sets(p, &three);
    land_all(p, &copy[EXIT_POLLFDS]);
    emit(p, LOAD(BPF_DW, R1, R8, ARG(1)));
    emit(p, ALU_IMM(BPF_LSH, R1, 3));
    emit_array(p, 0, &one);
    land_all(p, &copy[EXIT_READY_LIST]);
    emit(p, LOAD(BPF_DW, R1, R8, TS_PROBE_RESULT));
    emit(p, ALU_IMM(BPF_MUL, R1, EPOLL_EVENT_BYTES));
    emit_array(p, 1, &one);

    land_all(p, &three);
    emit_output(p, probe, 3, &out);
    land_all(p, &one);
    emit_output(p, probe, 1, &out);
    emit_return(p, &out);
}

// MARK: - The kernel's side

static long bpf(int command, union bpf_attr *attr) { return syscall(SYS_bpf, command, attr, sizeof(*attr)); }

static int create_map(enum bpf_map_type type, unsigned key, unsigned value, unsigned entries) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.map_type = type;
    attr.key_size = key;
    attr.value_size = value;
    attr.max_entries = entries;
    return (int)bpf(BPF_MAP_CREATE, &attr);
}

static int load_program(const program *p, char *why, int why_size) {
    static char log[65536];
    if (p->overflow) {
        snprintf(why, (size_t)why_size, "the kernel program is longer than %d instructions", MAX_INSNS);
        errno = E2BIG;
        return -1;
    }
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.prog_type = BPF_PROG_TYPE_TRACEPOINT;
    attr.insns = (uint64_t)(uintptr_t)p->code;
    attr.insn_cnt = (uint32_t)p->count;
    attr.license = (uint64_t)(uintptr_t)"GPL";
    int fd = (int)bpf(BPF_PROG_LOAD, &attr);
    if (fd < 0 && errno != EPERM) {
        // Again with the verifier's log, to say why.
        log[0] = 0;
        attr.log_level = 1;
        attr.log_buf = (uint64_t)(uintptr_t)log;
        attr.log_size = sizeof(log);
        int code = errno;
        fd = (int)bpf(BPF_PROG_LOAD, &attr);
        if (fd < 0) {
            size_t length = strlen(log);
            const char *tail = length > 300 ? log + length - 300 : log;
            snprintf(why, (size_t)why_size, "the kernel refused the program (%s): %s", strerror(code), tail);
            errno = code;
        }
    }
    return fd;
}

/// The tracepoint id of sys_enter_NAME / sys_exit_NAME, or -1.
static long tracepoint_id(const char *direction, const char *name) {
    static const char *const roots[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};
    for (int i = 0; i < 2; i++) {
        char path[256];
        snprintf(path, sizeof(path), "%s/events/syscalls/sys_%s_%s/id", roots[i], direction, name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        char text[32] = {0};
        ssize_t got = read(fd, text, sizeof(text) - 1);
        close(fd);
        if (got > 0) return strtol(text, NULL, 10);
    }
    return -1;
}

static int attach(ts_probe *probe, long id, int program_fd) {
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.type = PERF_TYPE_TRACEPOINT;
    attr.size = sizeof(attr);
    attr.config = (uint64_t)id;
    attr.sample_period = 1;
    attr.wakeup_events = 1;
    // One event (on CPU 0) enables the tracepoint everywhere; the program runs on every CPU.
    int fd = (int)syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
    if (fd < 0) return -1;
    probe->events[probe->event_count++] = fd;
    if (ioctl(fd, PERF_EVENT_IOC_SET_BPF, program_fd) != 0) return -1;
    return ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
}

static void close_fd(int *fd) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
}

void ts_probe_close(ts_probe *probe) {
    if (!probe) return;
    for (int i = 0; i < probe->event_count; i++) close(probe->events[i]);
    if (probe->consumer_page) munmap(probe->consumer_page, probe->page);
    if (probe->producer_pages) munmap(probe->producer_pages, probe->page + 2 * (size_t)RING_BYTES);
    for (int i = 0; i < 7; i++) close_fd(&probe->enter_programs[i]);
    close_fd(&probe->exit_program);
    close_fd(&probe->pids);
    close_fd(&probe->calls);
    close_fd(&probe->scratch);
    close_fd(&probe->lost);
    close_fd(&probe->ring);
    free(probe);
}

static ts_probe *fail(ts_probe *probe, char *why, int why_size, const char *what) {
    int code = errno;
    if (what) snprintf(why, (size_t)why_size, "%s: %s", what, strerror(code));
    ts_probe_close(probe);
    errno = code;
    return NULL;
}

/// Watches this process make one select and reads it back: the whole path works, and the
/// kernel names threads as this process does (inside a PID namespace it would not, and no
/// call of the traced program would ever match).
static int sees_own_call(ts_probe *probe) {
    pid_t pid = getpid(), tid = (pid_t)syscall(SYS_gettid);
    if (ts_probe_watch(probe, pid) != 0) return 0;
    struct timeval zero = {0, 0};
    select(0, NULL, NULL, NULL, &zero);
    ts_probe_unwatch(probe, pid);
    unsigned seen = 0;
    const uint8_t *record;
    uint32_t length;
    while ((record = ts_probe_next(probe, &length))) {
        uint32_t who, kind;
        memcpy(&who, record + TS_PROBE_TID, 4);
        memcpy(&kind, record + TS_PROBE_KIND, 4);
        if (length >= TS_PROBE_SEGMENTS && who == (uint32_t)tid) seen |= kind;
        ts_probe_release(probe);
    }
    return seen == (TS_PROBE_ENTRY | TS_PROBE_EXIT);
}

ts_probe *ts_probe_open(char *why, int why_size) {
    ts_probe *probe = calloc(1, sizeof(*probe));
    if (!probe) return NULL;
    probe->pids = probe->calls = probe->scratch = probe->lost = probe->ring = -1;
    for (int i = 0; i < 7; i++) probe->enter_programs[i] = -1;
    probe->exit_program = -1;
    probe->page = (size_t)sysconf(_SC_PAGESIZE);

    probe->pids = create_map(BPF_MAP_TYPE_HASH, 4, 4, 4096);
    if (probe->pids < 0) return fail(probe, why, why_size, "bpf(BPF_MAP_CREATE)");
    probe->calls = create_map(BPF_MAP_TYPE_ARRAY, 4, CALL_BYTES, CALL_SLOTS);
    probe->scratch = create_map(BPF_MAP_TYPE_PERCPU_ARRAY, 4, SCRATCH_BYTES, 1);
    probe->lost = create_map(BPF_MAP_TYPE_ARRAY, 4, 8, 1);
    probe->ring = create_map(BPF_MAP_TYPE_RINGBUF, 0, 0, RING_BYTES);
    if (probe->calls < 0 || probe->scratch < 0 || probe->lost < 0 || probe->ring < 0)
        return fail(probe, why, why_size, "bpf(BPF_MAP_CREATE)");

    static program code;
    why[0] = 0;
    memset(&code, 0, sizeof(code));
    build_exit(&code, probe);
    probe->exit_program = load_program(&code, why, why_size);
    if (probe->exit_program < 0) return fail(probe, why, why_size, why[0] ? NULL : "bpf(BPF_PROG_LOAD)");

    for (int i = 0; i < TRACED_COUNT; i++) {
        if (traced_calls[i].number < 0) continue;  // aarch64 has no select, poll or epoll_wait
        long enter_id = tracepoint_id("enter", traced_calls[i].name);
        long exit_id = tracepoint_id("exit", traced_calls[i].name);
        if (enter_id < 0 || exit_id < 0) {
            errno = ENOENT;
            return fail(probe, why, why_size, "no syscall tracepoints (is tracefs mounted?)");
        }
        int arguments = traced_calls[i].arguments;
        if (probe->enter_programs[arguments] < 0) {
            memset(&code, 0, sizeof(code));
            build_entry(&code, probe, arguments);
            probe->enter_programs[arguments] = load_program(&code, why, why_size);
            if (probe->enter_programs[arguments] < 0) return fail(probe, why, why_size, why[0] ? NULL : "bpf(BPF_PROG_LOAD)");
        }
        if (attach(probe, enter_id, probe->enter_programs[arguments]) != 0 || attach(probe, exit_id, probe->exit_program) != 0)
            return fail(probe, why, why_size, "perf_event_open on a syscall tracepoint");
    }

    probe->consumer_page = mmap(NULL, probe->page, PROT_READ | PROT_WRITE, MAP_SHARED, probe->ring, 0);
    if (probe->consumer_page == MAP_FAILED) {
        probe->consumer_page = NULL;
        return fail(probe, why, why_size, "mmap of the ring");
    }
    probe->producer_pages = mmap(NULL, probe->page + 2 * (size_t)RING_BYTES, PROT_READ, MAP_SHARED, probe->ring, (off_t)probe->page);
    if (probe->producer_pages == MAP_FAILED) {
        probe->producer_pages = NULL;
        return fail(probe, why, why_size, "mmap of the ring");
    }
    probe->consumer_position = probe->consumer_page;
    probe->producer_position = probe->producer_pages;
    probe->data = (const uint8_t *)probe->producer_pages + probe->page;
    probe->mask = RING_BYTES - 1;
    probe->position = __atomic_load_n(probe->consumer_position, __ATOMIC_ACQUIRE);
    if (!sees_own_call(probe)) {
        errno = ESRCH;
        snprintf(why, (size_t)why_size, "the kernel program did not see this process's own select() (a PID namespace?)");
        return fail(probe, why, why_size, NULL);
    }
    return probe;
}

// MARK: - This process's side

int ts_probe_watch(ts_probe *probe, int32_t pid) {
    union bpf_attr attr;
    uint32_t key = (uint32_t)pid, value = 1;
    memset(&attr, 0, sizeof(attr));
    attr.map_fd = (uint32_t)probe->pids;
    attr.key = (uint64_t)(uintptr_t)&key;
    attr.value = (uint64_t)(uintptr_t)&value;
    attr.flags = BPF_ANY;
    return bpf(BPF_MAP_UPDATE_ELEM, &attr) == 0 ? 0 : -1;
}

int ts_probe_unwatch(ts_probe *probe, int32_t pid) {
    union bpf_attr attr;
    uint32_t key = (uint32_t)pid;
    memset(&attr, 0, sizeof(attr));
    attr.map_fd = (uint32_t)probe->pids;
    attr.key = (uint64_t)(uintptr_t)&key;
    return bpf(BPF_MAP_DELETE_ELEM, &attr) == 0 ? 0 : -1;
}

const void *ts_probe_next(ts_probe *probe, uint32_t *length) {
    for (;;) {
        unsigned long produced = __atomic_load_n(probe->producer_position, __ATOMIC_ACQUIRE);
        if (probe->position >= produced) return NULL;
        const uint32_t *header = (const uint32_t *)(probe->data + (probe->position & probe->mask));
        uint32_t word = __atomic_load_n(header, __ATOMIC_ACQUIRE);
        if (word & BPF_RINGBUF_BUSY_BIT) return NULL;  // reserved, not yet written
        uint32_t bytes = word & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
        probe->pending = (BPF_RINGBUF_HDR_SZ + bytes + 7) & ~7ul;
        if (word & BPF_RINGBUF_DISCARD_BIT) {
            ts_probe_release(probe);
            continue;
        }
        *length = bytes;
        return (const uint8_t *)header + BPF_RINGBUF_HDR_SZ;
    }
}

void ts_probe_release(ts_probe *probe) {
    probe->position += probe->pending;
    probe->pending = 0;
    __atomic_store_n(probe->consumer_position, probe->position, __ATOMIC_RELEASE);
}

uint64_t ts_probe_waiting(ts_probe *probe) {
    return __atomic_load_n(probe->producer_position, __ATOMIC_ACQUIRE) - probe->position;
}

uint64_t ts_probe_lost(ts_probe *probe) {
    union bpf_attr attr;
    uint32_t key = 0;
    uint64_t value = 0;
    memset(&attr, 0, sizeof(attr));
    attr.map_fd = (uint32_t)probe->lost;
    attr.key = (uint64_t)(uintptr_t)&key;
    attr.value = (uint64_t)(uintptr_t)&value;
    return bpf(BPF_MAP_LOOKUP_ELEM, &attr) == 0 ? value : 0;
}
