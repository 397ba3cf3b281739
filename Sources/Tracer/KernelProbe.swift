import CReadinessProbe
#if canImport(Glibc)
import Glibc
#endif

/// The readiness calls of watched processes, read in the kernel without stopping them (a BPF
/// program on the syscall tracepoints, Modules/CReadinessProbe): each call's entry and exit
/// arrive in a ring, with the memory their arguments pointed at. Needs root; `open` says why
/// not otherwise. Used by one thread (the tracer's).
final class KernelProbe {
    private let probe: OpaquePointer

    /// One entry or exit, valid until the `drain` body returns.
    struct Event {
        let isEntry: Bool
        let number: UInt64
        let tid: Int32
        let tgid: Int32
        /// CLOCK_MONOTONIC seconds.
        let time: Double
        let result: Int64
        let arguments: SyscallArguments
        let memory: CapturedMemory
    }

    private init(_ probe: OpaquePointer) { self.probe = probe }

    deinit { ts_probe_close(probe) }

    /// The probe, or why the kernel will not run it.
    static func open() -> Result<KernelProbe, ProbeRefused> {
        var why = [CChar](repeating: 0, count: 512)
        guard let probe = ts_probe_open(&why, Int32(why.count)) else {
            return .failure(ProbeRefused(reason: String(decoding: why.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)))
        }
        return .success(KernelProbe(probe))
    }

    struct ProbeRefused: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    func watch(_ pid: Int32) { _ = ts_probe_watch(probe, pid) }

    func unwatch(_ pid: Int32) { _ = ts_probe_unwatch(probe, pid) }

    /// Records the ring had no room for so far.
    var lost: UInt64 { ts_probe_lost(probe) }

    /// How full the ring is, 0 to 1: how far this reader is behind the program.
    var backlog: Double { Double(ts_probe_waiting(probe)) / Double(TS_PROBE_RING_BYTES) }

    /// Hands complete records to `body`, oldest first, up to `limit`; returns how many.
    @discardableResult
    func drain(limit: Int = .max, _ body: (Event) -> Void) -> Int {
        var count = 0
        var length: UInt32 = 0
        while count < limit, let record = ts_probe_next(probe, &length) {
            defer { ts_probe_release(probe) }
            guard Int(length) >= Int(TS_PROBE_SEGMENTS) else { continue }
            func field<T>(_ offset: Int, _ type: T.Type) -> T { record.loadUnaligned(fromByteOffset: offset, as: type) }
            func argument(_ index: Int) -> UInt64 { field(Int(TS_PROBE_ARGS) + 8 * index, UInt64.self) }
            body(Event(isEntry: Int(field(Int(TS_PROBE_KIND), UInt32.self)) == Int(TS_PROBE_ENTRY),
                       number: UInt64(field(Int(TS_PROBE_NR), UInt32.self)),
                       tid: Int32(bitPattern: field(Int(TS_PROBE_TID), UInt32.self)),
                       tgid: Int32(bitPattern: field(Int(TS_PROBE_TGID), UInt32.self)),
                       time: Double(field(Int(TS_PROBE_TIME), UInt64.self)) / 1e9,
                       result: field(Int(TS_PROBE_RESULT), Int64.self),
                       arguments: SyscallArguments((argument(0), argument(1), argument(2), argument(3), argument(4), argument(5))),
                       memory: CapturedMemory(record: record, length: Int(length))))
            count += 1
        }
        return count
    }
}
