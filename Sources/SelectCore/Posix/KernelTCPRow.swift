/// One line of /proc/net/tcp or tcp6: "sl local_address rem_address st tx_queue:rx_queue …
/// inode". The grader and the tracer both read these tables; the fields are cut here once.
public struct KernelTCPRow: Sendable {
    /// "0100007F:04D2": the address as the kernel's words in host order, then the port.
    public var local: Substring
    public var remote: Substring
    /// The kernel's TCP state number (1 established, 8 close-wait, 10 listen, …).
    public var state: Int
    /// Bytes sent and not acknowledged yet (tx_queue); for a listener, 0.
    public var unsent: Int
    /// Bytes received and not read yet (rx_queue); for a listener, the accept queue.
    public var unread: Int
    public var inode: UInt64

    public static let listenState = 0x0A

    /// nil for the header line or a line cut short.
    public init?(_ line: Substring) {
        let columns = line.split(separator: " ", omittingEmptySubsequences: true)
        guard columns.count > 9, let state = Int(columns[3], radix: 16), let inode = UInt64(columns[9]) else { return nil }
        let queues = columns[4].split(separator: ":")
        guard queues.count == 2, let unsent = Int(queues[0], radix: 16), let unread = Int(queues[1], radix: 16) else { return nil }
        self.local = columns[1]
        self.remote = columns[2]
        self.state = state
        self.unsent = unsent
        self.unread = unread
        self.inode = inode
    }

    /// The port of an address field ("0100007F:04D2" → 1234).
    public static func port(_ field: Substring) -> Int? {
        field.split(separator: ":").last.flatMap { Int($0, radix: 16) }
    }

    /// Every row of a table's text, the header left out.
    public static func rows(_ text: String) -> [KernelTCPRow] {
        text.split(separator: "\n").dropFirst().compactMap(KernelTCPRow.init)
    }
}
