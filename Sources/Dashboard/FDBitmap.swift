/// Membership of fds in a list, answered in O(1): built once per frame so that asking
/// "is fd in readable?" for every entry does not cost O(n²) at 10,000 connections.
struct FDBitmap {
    private var bits: [Bool]

    init(_ fds: [Int32], limit: Int) {
        bits = [Bool](repeating: false, count: max(0, limit))
        for fd in fds where fd >= 0 && Int(fd) < bits.count { bits[Int(fd)] = true }
    }

    subscript(fd: Int32) -> Bool {
        fd >= 0 && Int(fd) < bits.count && bits[Int(fd)]
    }

    /// One more than the highest fd in any of the lists.
    static func limit(_ lists: [Int32]...) -> Int {
        Int(lists.map { $0.max() ?? -1 }.max() ?? -1) + 1
    }
}
