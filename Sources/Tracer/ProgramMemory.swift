/// Where the decoder reads a traced call's memory from: the running program (`RemoteMemory`,
/// at a ptrace stop) or the bytes the kernel copied at the call's entry or exit
/// (`CapturedMemory`). Everything read is untrusted either way.
protocol ProgramMemory {
    /// `count` bytes at `address` into `buffer` (kept from call to call: grown, never shrunk),
    /// at its start; false if unreadable. A null address is unreadable.
    func copy(at address: UInt64, count: Int, into buffer: inout [UInt8]) -> Bool

    /// Up to four ranges (a select's three sets and its timeout) into `buffer`, end to end.
    /// Each range comes back as where its bytes are in `buffer`, nil when absent (address 0)
    /// or unreadable. The callers bound the sizes.
    func gather(_ ranges: InlineArray<4, RemoteRange>, into buffer: inout [UInt8]) -> InlineArray<4, Range<Int>?>
}

extension ProgramMemory {
    func bytes(at address: UInt64, count: Int) -> [UInt8]? {
        var buffer: [UInt8] = []  // grown to exactly `count`
        return copy(at: address, count: count, into: &buffer) ? buffer : nil
    }

    func int64(_ bytes: [UInt8], at offset: Int) -> Int64 {
        var value: Int64 = 0
        for index in (0..<8).reversed() { value = value << 8 | Int64(bytes[offset + index]) }
        return value
    }

    func int32(_ bytes: [UInt8], at offset: Int) -> Int32 {
        Int32(bitPattern: UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24)
    }

    /// A timeval/timespec's bytes at `offset` as seconds (see `interval(at:divisor:)`).
    func interval(_ raw: [UInt8], at offset: Int = 0, divisor: Double) -> Result<Double?, Damage> {
        let seconds = int64(raw, at: offset), fraction = int64(raw, at: offset + 8)
        guard seconds >= 0, seconds < 1 << 40, fraction >= 0, Double(fraction) < divisor else {
            return .failure(Damage("timeout {\(seconds), \(fraction)} out of range"))
        }
        return .success(Double(seconds) + Double(fraction) / divisor)
    }

    /// A struct timeval or timespec (two 64-bit fields) as seconds; `divisor` 1e6 or 1e9.
    /// nil pointer → blocks (nil); an unreadable or negative one → damage. Read into `buffer`.
    func interval(at address: UInt64, divisor: Double, buffer: inout [UInt8]) -> Result<Double?, Damage> {
        if address == 0 { return .success(nil) }
        guard copy(at: address, count: 16, into: &buffer) else {
            return .failure(Damage("timeout at 0x\(String(address, radix: 16)) unreadable"))
        }
        return interval(buffer, divisor: divisor)
    }
}

/// Grows a kept buffer to hold `count` bytes.
func grow(_ buffer: inout [UInt8], to count: Int) {
    if buffer.count < count { buffer.append(contentsOf: repeatElement(0, count: count - buffer.count)) }
}
