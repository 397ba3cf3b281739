/// Membership of fds in a list, answered in O(1): built once per frame so that asking
/// "is fd in readable?" for every entry does not cost O(n²) at 10,000 connections.
///
/// Its size follows the list, never the fd values: a bitmap when the highest fd is small
/// next to the list (the usual case: fds are allocated low first), a hash set when one fd
/// is far out (a replayed trace may hold fd 2147483647; a bitmap would be 2 GiB per list).
struct FDBitmap {
    private var bits: [Bool] = []
    private var sparse: Set<Int32>?

    /// The largest bitmap kept for a list of `count` fds: a few bytes per fd, or 64 KiB.
    static func denseCeiling(count: Int) -> Int { max(1 << 16, 16 * count) }

    init(_ fds: [Int32], limit: Int) {
        if limit <= Self.denseCeiling(count: fds.count) {
            bits = [Bool](repeating: false, count: max(0, limit))
            for fd in fds where fd >= 0 && Int(fd) < bits.count { bits[Int(fd)] = true }
        } else {
            sparse = Set(fds)
        }
    }

    subscript(fd: Int32) -> Bool {
        if let sparse { return sparse.contains(fd) }
        return fd >= 0 && Int(fd) < bits.count && bits[Int(fd)]
    }

    /// One more than the highest fd in any of the lists.
    static func limit(_ lists: [Int32]...) -> Int {
        Int(lists.map { $0.max() ?? -1 }.max() ?? -1) + 1
    }
}
