/// The seed's printout: `readable: [...]`, `writable: [...]`, `exceptional: [...]` after
/// each call (modes 1–4), then a line per thing the server did, in the seed's words.
///
/// Written through a `QueuedLineWriter` that drops lines rather than stall the loop when
/// nobody reads them (`server --log text | sleep 25`), and says how many it dropped.
public final class TextLog {
    private let writer: QueuedLineWriter
    private let listenAddress: PeerAddress
    /// Remembers each connection's peer from its accept, so the lists can be printed the way
    /// Python prints sockets even after the server has closed one.
    private var peers: [Int32: PeerAddress] = [:]

    public init(writer: QueuedLineWriter, listenAddress: PeerAddress) {
        self.writer = writer
        self.listenAddress = listenAddress
    }

    public func write(_ record: StepRecord) {
        if record.mode.printsResultLists && !(record.isEmptyResult && !record.internalReady.isEmpty) {
            writer.appendLine("readable: " + list(record.readable, listener: record.listener))
            writer.appendLine("writable: " + list(record.writable, listener: record.listener))
            writer.appendLine("exceptional: " + list(record.exceptional, listener: record.listener))
        }
        for event in record.events {
            if event.kind == .accept, let peer = event.peer { peers[event.fd] = peer }
            // Exercises 3 and 5 send from the recv branch without printing anything; only a
            // short direct send (a correction of ours) earns a line.
            if event.kind == .send && event.direct && !event.isShortSend { continue }
            writer.appendLine(SeedLog.line(for: event))
            if event.kind == .close { peers[event.fd] = nil }
        }
        writer.flush()
    }

    private func list(_ fds: [Int32], listener: Int32) -> String {
        "[" + fds.map { fd in
            fd == listener
                ? PythonRepr.socket(fd: fd, local: listenAddress, remote: nil)
                : PythonRepr.socket(fd: fd, local: listenAddress, remote: peers[fd])
        }.joined(separator: ", ") + "]"
    }
}
