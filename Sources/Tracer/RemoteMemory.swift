import CTracerShim
import SelectCore
#if canImport(Glibc)
import Glibc
#endif

/// The traced program's memory, read (and for --port, written) through process_vm_readv.
/// Everything read is untrusted: sizes are checked before reading, values after.
struct RemoteMemory: ProgramMemory {
    let pid: Int32

    /// Limits on what a call may claim (beyond them the record is marked damaged).
    static let maxFD: Int32 = 1 << 20
    static let maxEntries = 65536

    /// EI_CLASS of an ELF file (1: 32-bit, 2: 64-bit), nil if it is not ELF.
    func elfClass(of path: String) -> UInt8? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var header = [UInt8](repeating: 0, count: 5)
        guard read(fd, &header, 5) == 5, header[0] == 0x7f, header[1] == 0x45, header[2] == 0x4c, header[3] == 0x46 else { return nil }
        return header[4]
    }

    /// Up to `count` bytes: a payload preview may cross into an unmapped page.
    func prefix(at address: UInt64, count: Int) -> [UInt8] {
        guard address != 0, count > 0, count <= 1 << 16 else { return [] }
        var buffer = [UInt8](repeating: 0, count: count)
        let got = buffer.withUnsafeMutableBytes { ts_read_memory(pid, address, $0.baseAddress, UInt(count)) }
        guard got > 0 else { return [] }
        if got < count { buffer.removeLast(count - got) }
        return buffer
    }

    func write(_ bytes: [UInt8], at address: UInt64, tid: Int32) -> Bool {
        bytes.withUnsafeBytes { ts_write_memory(tid, address, $0.baseAddress, UInt($0.count)) == 0 }
    }

    /// `count` bytes into `buffer` (kept from call to call: grown, never shrunk), at its start;
    /// false if unreadable. As `bytes(at:count:)`, a null address is unreadable.
    func copy(at address: UInt64, count: Int, into buffer: inout [UInt8]) -> Bool {
        guard address != 0, count >= 0, count <= 1 << 24 else { return false }
        if count == 0 { return true }
        grow(&buffer, to: count)
        let got = buffer.withUnsafeMutableBytes { ts_read_memory(pid, address, $0.baseAddress, UInt(count)) }
        return got == count
    }

    /// Up to four ranges (a select's three sets and its timeout) read with one system call into
    /// `buffer`, end to end: this runs twice per traced select, and allocates nothing once the
    /// buffer has grown. Each range comes back as where its bytes are in `buffer`, nil when
    /// absent (address 0) or unreadable. A short batch is read again range by range, so the
    /// damaged one is named. The callers bound the sizes.
    func gather(_ ranges: InlineArray<4, RemoteRange>, into buffer: inout [UInt8]) -> InlineArray<4, Range<Int>?> {
        var found = InlineArray<4, Range<Int>?>(repeating: nil)
        var total = 0, wanted = 0
        for index in ranges.indices where ranges[index].address != 0 {
            let count = max(0, ranges[index].count)
            found[index] = total..<total + count
            total += count
            if count > 0 { wanted += 1 }
        }
        guard wanted > 0 else { return found }
        grow(&buffer, to: total)
        let got = withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 4) { addresses in
            withUnsafeTemporaryAllocation(of: UInt.self, capacity: 4) { lengths in
                var batch = 0
                for index in ranges.indices where ranges[index].address != 0 && ranges[index].count > 0 {
                    addresses[batch] = ranges[index].address
                    lengths[batch] = UInt(ranges[index].count)
                    batch += 1
                }
                return buffer.withUnsafeMutableBytes { raw in
                    ts_read_memory_ranges(pid, addresses.baseAddress, lengths.baseAddress, Int32(batch), raw.baseAddress)
                }
            }
        }
        if got == total { return found }
        for index in ranges.indices {
            guard let range = found[index], !range.isEmpty else { continue }
            let read = buffer.withUnsafeMutableBytes { raw in
                ts_read_memory(pid, ranges[index].address, raw.baseAddress! + range.lowerBound, UInt(range.count))
            }
            if read != range.count { found[index] = nil }
        }
        return found
    }

    static func fdSetBytes(nfds: Int) -> Int { (nfds + 63) / 64 * 8 }

    /// Appends the fds set in the fd_set of `nfds` bits at `range` of `bytes`, in order (a byte
    /// at a time, skipping empty ones).
    static func appendFDs(inSet bytes: [UInt8], at range: Range<Int>, nfds: Int, to fds: inout [Int32]) {
        bytes.withUnsafeBytes { all in
            let set = UnsafeRawBufferPointer(rebasing: all[range])
            for index in 0..<min(set.count, (nfds + 7) / 8) where set[index] != 0 {
                var bits = set[index]
                while bits != 0 {
                    let fd = index * 8 + bits.trailingZeroBitCount
                    if fd < nfds { fds.append(Int32(fd)) }
                    bits &= bits - 1
                }
            }
        }
    }

    /// A socket address (AF_INET or AF_INET6) as the program passed it.
    func socketAddress(at address: UInt64, length: Int) -> PeerAddress? {
        guard length >= 8, length <= 128, let raw = bytes(at: address, count: length) else { return nil }
        return SocketAddressBytes.peer(raw)
    }
}

/// A range of the traced program's memory (address 0: absent, as a null pointer argument).
struct RemoteRange {
    var address: UInt64
    var count: Int
}

/// A value from the other process that could not be believed.
struct Damage: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// sockaddr_in / sockaddr_in6 bytes ↔ addresses and ports.
enum SocketAddressBytes {
    static func family(_ raw: [UInt8]) -> Int32 { raw.count >= 2 ? Int32(UInt16(raw[0]) | UInt16(raw[1]) << 8) : -1 }

    static func port(_ raw: [UInt8]) -> Int { raw.count >= 4 ? Int(raw[2]) << 8 | Int(raw[3]) : 0 }

    static func peer(_ raw: [UInt8]) -> PeerAddress? {
        let family = family(raw)
        var text = [CChar](repeating: 0, count: 64)
        switch family {
        case AF_INET where raw.count >= 8:
            let address = Array(raw[4..<8])
            _ = address.withUnsafeBytes { inet_ntop(AF_INET, $0.baseAddress, &text, 64) }
        case AF_INET6 where raw.count >= 24:
            let address = Array(raw[8..<24])
            _ = address.withUnsafeBytes { inet_ntop(AF_INET6, $0.baseAddress, &text, 64) }
        default:
            return nil
        }
        let host = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return PeerAddress(host: host, port: port(raw))
    }
}
