import CTracerShim
import SelectCore
#if canImport(Glibc)
import Glibc
#endif

/// The traced program's memory, read (and for --port, written) through process_vm_readv.
/// Everything read is untrusted: sizes are checked before reading, values after.
struct RemoteMemory {
    let pid: Int32

    /// Limits on what a call may claim (beyond them the record is marked damaged).
    static let maxFD: Int32 = 1 << 20
    static let maxEntries = 65536

    func bytes(at address: UInt64, count: Int) -> [UInt8]? {
        guard address != 0, count >= 0, count <= 1 << 24 else { return nil }
        if count == 0 { return [] }
        var buffer = [UInt8](repeating: 0, count: count)
        let got = buffer.withUnsafeMutableBytes { ts_read_memory(pid, address, $0.baseAddress, UInt(count)) }
        return got == count ? buffer : nil
    }

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

    func int64(_ bytes: [UInt8], at offset: Int) -> Int64 {
        var value: Int64 = 0
        for index in (0..<8).reversed() { value = value << 8 | Int64(bytes[offset + index]) }
        return value
    }

    func int32(_ bytes: [UInt8], at offset: Int) -> Int32 {
        Int32(bitPattern: UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24)
    }

    func uint64(at address: UInt64) -> UInt64? {
        guard let raw = bytes(at: address, count: 8) else { return nil }
        return UInt64(bitPattern: int64(raw, at: 0))
    }

    /// Several ranges in one system call (a select's three sets and its timeout); nil for a
    /// range that is absent (address 0) or unreadable. Falls back to one read per range when
    /// the batch comes back short, so the damaged one is named. The ranges are slices of one
    /// buffer: this runs twice per traced select, so it allocates no more than that.
    func gather(_ ranges: [(address: UInt64, count: Int)]) -> [ArraySlice<UInt8>?] {
        var total = 0, wanted = 0
        for range in ranges where range.address != 0 && range.count > 0 {
            total += range.count
            wanted += 1
        }
        if wanted > 0, wanted <= 8, total <= 1 << 20 {
            var buffer = [UInt8](repeating: 0, count: total)
            let got = withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 8) { addresses in
                withUnsafeTemporaryAllocation(of: UInt.self, capacity: 8) { lengths in
                    var index = 0
                    for range in ranges where range.address != 0 && range.count > 0 {
                        addresses[index] = range.address
                        lengths[index] = UInt(range.count)
                        index += 1
                    }
                    return buffer.withUnsafeMutableBytes { raw in
                        ts_read_memory_ranges(pid, addresses.baseAddress, lengths.baseAddress, Int32(wanted), raw.baseAddress)
                    }
                }
            }
            if got == total {
                var offset = 0
                return ranges.map { range in
                    if range.address == 0 { return nil }
                    if range.count <= 0 { return [] }
                    defer { offset += range.count }
                    return buffer[offset..<offset + range.count]
                }
            }
        }
        return ranges.map { range in range.address == 0 ? nil : bytes(at: range.address, count: range.count).map { $0[...] } }
    }

    static func fdSetBytes(nfds: Int) -> Int { (nfds + 63) / 64 * 8 }

    /// The fds set in fd_set bytes of `nfds` bits (a byte at a time, skipping empty ones).
    func fdSet(_ raw: ArraySlice<UInt8>, nfds: Int) -> [Int32] {
        var fds: [Int32] = []
        raw.withUnsafeBytes { bytes in
            for index in 0..<min(bytes.count, (nfds + 7) / 8) where bytes[index] != 0 {
                var bits = bytes[index]
                while bits != 0 {
                    let fd = index * 8 + bits.trailingZeroBitCount
                    if fd < nfds { fds.append(Int32(fd)) }
                    bits &= bits - 1
                }
            }
        }
        return fds
    }

    /// A timeval/timespec's bytes as seconds (see `interval(at:divisor:)`).
    func interval(_ raw: [UInt8], divisor: Double) -> Result<Double?, Damage> {
        let seconds = int64(raw, at: 0), fraction = int64(raw, at: 8)
        guard seconds >= 0, seconds < 1 << 40, fraction >= 0, Double(fraction) < divisor else {
            return .failure(Damage("timeout {\(seconds), \(fraction)} out of range"))
        }
        return .success(Double(seconds) + Double(fraction) / divisor)
    }

    /// The fds set in an fd_set of `nfds` bits (an array of native longs, little-endian
    /// on both architectures the tracer knows).
    func fdSet(at address: UInt64, nfds: Int) -> [Int32]? {
        if address == 0 { return [] }
        let byteCount = (nfds + 63) / 64 * 8
        guard let raw = bytes(at: address, count: byteCount) else { return nil }
        var fds: [Int32] = []
        for fd in 0..<nfds where raw[fd >> 3] & (1 << UInt8(fd & 7)) != 0 { fds.append(Int32(fd)) }
        return fds
    }

    /// A struct timeval or timespec (two 64-bit fields) as seconds; `divisor` 1e6 or 1e9.
    /// nil pointer → blocks (nil); an unreadable or negative one → damage.
    func interval(at address: UInt64, divisor: Double) -> Result<Double?, Damage> {
        if address == 0 { return .success(nil) }
        guard let raw = bytes(at: address, count: 16) else { return .failure(Damage("timeout at 0x\(String(address, radix: 16)) unreadable")) }
        let seconds = int64(raw, at: 0), fraction = int64(raw, at: 8)
        guard seconds >= 0, seconds < 1 << 40, fraction >= 0, Double(fraction) < divisor else {
            return .failure(Damage("timeout {\(seconds), \(fraction)} out of range"))
        }
        return .success(Double(seconds) + Double(fraction) / divisor)
    }

    /// A socket address (AF_INET or AF_INET6) as the program passed it.
    func socketAddress(at address: UInt64, length: Int) -> PeerAddress? {
        guard length >= 8, length <= 128, let raw = bytes(at: address, count: length) else { return nil }
        return SocketAddressBytes.peer(raw)
    }
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
