/// Writes each record as a JSON line, flushed per record so another process can follow the
/// file; the first line also carries the listen address.
public final class TraceRecorder {
    private let writer: LineWriter
    private let listenAddress: PeerAddress
    private var wroteFirst = false

    public init(path: String, listenAddress: PeerAddress) throws {
        self.writer = try LineWriter.open(path: path)
        self.listenAddress = listenAddress
    }

    public func write(_ record: StepRecord) {
        writer.appendLine(TraceEncoder.line(for: record, listen: wroteFirst ? nil : listenAddress))
        wroteFirst = true
        writer.flush()
    }
}
