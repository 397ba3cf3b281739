/// Writes each record as a JSON line, handed at once to a writer thread so another process
/// can follow the file and a slow disk or reader never stalls the loop; the first line also
/// carries the listen address.
///
/// A write that fails (a full disk, /dev/full, a closed pipe) ends the trace there: the file
/// keeps the whole records written before it, never a partial one, and `onFailure` hears of
/// it at once (stderr headless, a banner on the dashboard). So does a reader that falls
/// `bound` bytes behind: a trace with a gap in it would tell a wrong story.
public final class TraceRecorder {
    private let writer: QueuedLineWriter
    /// Written into the first record. A traced program's is known only once it listens,
    /// which is before its first readiness call: set it then (same thread as `write`).
    public var listenAddress: PeerAddress?
    private var wroteFirst = false

    /// 8 MiB of records (about 20,000 calls) may wait for a slow reader.
    public static let defaultBound = 8 << 20

    public init(
        path: String, listenAddress: PeerAddress?, bound: Int = TraceRecorder.defaultBound,
        onFailure: @escaping @Sendable (OutputFailure) -> Void = { _ in }
    ) throws {
        self.writer = try QueuedLineWriter(LineWriter.open(path: path), policy: .stop, bound: bound, onFailure: onFailure)
        self.listenAddress = listenAddress
    }

    public func write(_ record: StepRecord) {
        writer.appendLine(TraceEncoder.line(for: record, listen: wroteFirst ? nil : listenAddress))
        wroteFirst = wroteFirst || listenAddress != nil
        writer.flush()
    }

    /// Safe from any thread: why the trace stopped, if it did.
    public var failure: OutputFailure? { writer.failure }

    /// Waits up to `seconds` for every record to be written (at exit). False when some were
    /// not: the trace failed, or records were still waiting for a reader at the deadline.
    @discardableResult
    public func finish(within seconds: Double) -> Bool {
        let unwritten = writer.finish(within: seconds)
        return unwritten == 0 && writer.failure == nil
    }
}
