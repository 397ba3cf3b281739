/// Readiness flags of one fd as poll and epoll name them.
struct ReadyFlags: OptionSet {
    let rawValue: UInt8
    static let input = ReadyFlags(rawValue: 1)
    static let priority = ReadyFlags(rawValue: 2)
    static let output = ReadyFlags(rawValue: 4)

    var text: String {
        var parts: [String] = []
        if contains(.input) { parts.append("IN") }
        if contains(.priority) { parts.append("PRI") }
        if contains(.output) { parts.append("OUT") }
        return parts.joined(separator: "|")
    }

    /// The role of a ready fd: exceptional wins, then readable, then writable.
    var role: Role {
        contains(.priority) ? .exceptional : contains(.input) ? .readable : .writable
    }
}
