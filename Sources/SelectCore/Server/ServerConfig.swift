#if canImport(Glibc)
import Glibc
#endif

/// How a server is started.
public struct ServerConfig: Sendable {
    public var mode: Mode = .one
    public var backend: BackendKind = .select
    public var host = "localhost"
    public var port = 1234
    /// Per-connection queue cap in bytes: past it the server stops reading the connection.
    public var queueCap = 64 * 1024
    /// All queues together, in bytes: past it no connection is read until the total drains
    /// to half. The per-connection cap alone lets N connections hold N caps.
    public var queueBudget = ServerConfig.defaultQueueBudget
    /// Bytes of each payload kept in events (0: none). The text log wants them whole, the
    /// dashboard a preview; a benchmark none.
    public var payloadCapture = 0
    /// How many recent events to keep for the screen's `log` (0: none).
    public var logCapacity = 0
    /// Keep each call's whole record: the lists as they were passed in, and the events (the
    /// text log, the trace, the screen's log and explain view read them). A headless server
    /// with neither a log nor a trace turns this off: nobody would read them, and they are
    /// most of the per-message work. The results and queue depths are always recorded.
    public var keepsRecords = true
    /// Measure each call's CPU cost (two extra clock reads per call).
    public var measureCost = false
    /// At most this many bytes per recv, as in the seed.
    public var receiveSize = 1024

    /// The largest `queueCap` or `queueBudget` a command line may ask for.
    public static let queueLimit = 1 << 30

    /// 256 MiB, or an eighth of the machine's memory when that is less (at least 1 MiB).
    public static let defaultQueueBudget: Int = {
        let pages = sysconf(Int32(_SC_PHYS_PAGES))
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return 256 << 20 }
        let (memory, overflow) = pages.multipliedReportingOverflow(by: pageSize)
        if overflow { return 256 << 20 }
        return max(1 << 20, min(256 << 20, memory / 8))
    }()

    public init(mode: Mode = .one, backend: BackendKind = .select, host: String = "localhost", port: Int = 1234) {
        self.mode = mode
        self.backend = backend
        self.host = host
        self.port = port
    }
}
