/// A position for each fd: the reducer's row of each connection.
///
/// Looked up for every event of every call (thousands a frame at machine speed), so the small
/// fds a process really has sit in an array, found without hashing. A record read from a file
/// can name any fd: past `denseLimit` they go to a dictionary, and the array never grows
/// beyond the limit whatever a trace claims.
struct FDIndex: Sendable {
    static let denseLimit = 1 << 16

    /// `dense[fd]`: the position, or -1.
    private var dense: [Int] = []
    private var sparse: [Int32: Int] = [:]

    subscript(fd: Int32) -> Int? {
        get {
            let slot = Int(fd)
            guard slot >= 0 && slot < Self.denseLimit else { return sparse[fd] }
            guard slot < dense.count, dense[slot] >= 0 else { return nil }
            return dense[slot]
        }
        set {
            let slot = Int(fd)
            guard slot >= 0 && slot < Self.denseLimit else {
                sparse[fd] = newValue
                return
            }
            if slot >= dense.count {
                guard newValue != nil else { return }
                dense.append(contentsOf: repeatElement(-1, count: slot + 1 - dense.count))
            }
            dense[slot] = newValue ?? -1
        }
    }
}
