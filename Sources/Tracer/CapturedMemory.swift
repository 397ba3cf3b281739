import CReadinessProbe

/// The memory a readiness call's arguments pointed at, as the kernel program copied it at the
/// call's entry or exit (see `KernelProbe`): up to four segments, each where it was read and
/// its bytes. A read the segments do not cover is unreadable, as a failed process_vm_readv is.
/// Valid only while the ring record it points into is.
struct CapturedMemory: ProgramMemory {
    private let record: UnsafeRawPointer
    private let length: Int

    init(record: UnsafeRawPointer, length: Int) {
        self.record = record
        self.length = length
    }

    /// Segment `index`: its address and its bytes, nil when absent or unreadable.
    private func segment(_ index: Int) -> (address: UInt64, bytes: UnsafeRawBufferPointer)? {
        let count = record.loadUnaligned(fromByteOffset: Int(TS_PROBE_LENGTHS) + 4 * index, as: UInt32.self)
        guard count != 0, count != TS_PROBE_UNREADABLE else { return nil }
        let address = record.loadUnaligned(fromByteOffset: Int(TS_PROBE_ADDRESSES) + 8 * index, as: UInt64.self)
        let slot = Int(record.loadUnaligned(fromByteOffset: Int(TS_PROBE_SLOT), as: UInt32.self))
        let start = index == 0 ? Int(TS_PROBE_SEGMENT0) : Int(TS_PROBE_SEGMENTS) + (index - 1) * slot
        guard start + Int(count) <= length else { return nil }
        return (address, UnsafeRawBufferPointer(start: record + start, count: Int(count)))
    }

    /// The bytes read at `address` if some segment holds at least `count` of them.
    private func find(_ address: UInt64, _ count: Int) -> UnsafeRawBufferPointer? {
        for index in 0..<4 {
            if let found = segment(index), found.address == address, found.bytes.count >= count {
                return UnsafeRawBufferPointer(rebasing: found.bytes.prefix(count))
            }
        }
        return nil
    }

    func copy(at address: UInt64, count: Int, into buffer: inout [UInt8]) -> Bool {
        guard address != 0, count >= 0 else { return false }
        if count == 0 { return true }
        guard let found = find(address, count) else { return false }
        grow(&buffer, to: count)
        buffer.withUnsafeMutableBytes { $0.copyMemory(from: found) }
        return true
    }

    func gather(_ ranges: InlineArray<4, RemoteRange>, into buffer: inout [UInt8]) -> InlineArray<4, Range<Int>?> {
        var found = InlineArray<4, Range<Int>?>(repeating: nil)
        var total = 0
        for index in ranges.indices where ranges[index].address != 0 {
            total += max(0, ranges[index].count)
        }
        grow(&buffer, to: total)
        var offset = 0
        for index in ranges.indices where ranges[index].address != 0 {
            let count = max(0, ranges[index].count)
            defer { offset += count }
            if count == 0 {
                found[index] = offset..<offset
                continue
            }
            guard let bytes = find(ranges[index].address, count) else { continue }
            buffer.withUnsafeMutableBytes { UnsafeMutableRawBufferPointer(rebasing: $0[offset..<offset + count]).copyMemory(from: bytes) }
            found[index] = offset..<offset + count
        }
        return found
    }
}
