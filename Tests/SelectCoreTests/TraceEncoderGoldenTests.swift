import Testing
@testable import SelectCore

/// One record with every event kind, byte for byte as the encoder wrote it before it was made
/// to build its line as bytes: the layout of the trace is a contract (SPEC §4).
@Suite("TraceEncoder's line, byte for byte")
struct TraceEncoderGoldenTests {
    static func record() -> StepRecord {
        var record = StepRecord()
        record.seq = 42
        record.time = 1234.5678901
        record.mode = .five
        record.listener = 3
        record.timeout = 2.0
        record.inputs = [3, 5]
        record.outputs = [5]
        record.readable = [5]
        record.blockedMilliseconds = 2000.25
        let peer = PeerAddress(host: "127.0.0.1", port: 50000)
        let peer6 = PeerAddress(host: "::1", port: 40000)
        let hello = Array("Hello \"x\" 'y' \\ \n\u{01}".utf8) + [200]
        record.events = [
            ServerEvent(kind: .timeout),
            ServerEvent(kind: .accept, fd: 5, peer: peer6),
            ServerEvent(kind: .recv, fd: 5, bytes: 12, peer: peer, payload: hello),
            ServerEvent(kind: .send, fd: 5, bytes: 7, requested: 12, peer: peer, payload: hello, direct: true),
            ServerEvent(kind: .send, fd: 5, bytes: 12, requested: 12, peer: peer, payload: []),
            ServerEvent(kind: .queueEmpty, fd: 5, peer: peer),
            ServerEvent(kind: .paused, fd: 5, bytes: 65536, peer: peer, detail: "65536"),
            ServerEvent(kind: .resumed, fd: 5, bytes: 100, peer: peer),
            ServerEvent(kind: .refused, fd: 1030, peer: peer, detail: "1024"),
            ServerEvent(kind: .mode, from: "1", to: "5"),
            ServerEvent(kind: .backend, from: "select", to: "poll"),
            ServerEvent(kind: .exceptional, fd: 5, peer: peer),
            ServerEvent(kind: .urgent, fd: 5, bytes: 1, peer: peer, payload: [0x21]),
            ServerEvent(kind: .close, fd: 5, bytes: 3, peer: peer, reason: .error, detail: "EC\"ONN\nRESET"),
        ]
        record.queues = [QueueDepth(fd: 5, messages: 1, bytes: 5)]
        record.origin = CallOrigin(pid: 10, tid: 11, call: "pselect6", result: 1)
        return record
    }

    @Test("a record with every event kind")
    func everyEventKind() {
        let line = TraceEncoder.line(for: Self.record(), listen: PeerAddress(host: "127.0.0.1", port: 1234))
        #expect(line == Self.golden)
    }

    static let golden = #"{"seq":42,"t":1234.567890,"mode":5,"backend":"select","listener":3,"listen":"127.0.0.1:1234","timeout":2.000,"inputs":[3,5],"outputs":[5],"readable":[5],"writable":[],"exceptional":[],"blocked_ms":2000.250,"traced":{"pid":10,"tid":11,"call":"pselect6","result":1},"events":[{"kind":"timeout"},{"kind":"accept","fd":5,"peer":"[::1]:40000"},{"kind":"recv","fd":5,"bytes":12,"peer":"127.0.0.1:50000","data":"b'Hello \"x\" \\'y\\' \\\\ \\n\\x01\\xc8'"},{"kind":"send","fd":5,"bytes":7,"requested":12,"short":true,"direct":true,"peer":"127.0.0.1:50000","data":"b'Hello \"x\" \\'y\\' \\\\ \\n\\x01\\xc8'"},{"kind":"send","fd":5,"bytes":12,"peer":"127.0.0.1:50000","data":"b''"},{"kind":"queue-empty","fd":5,"peer":"127.0.0.1:50000"},{"kind":"paused","fd":5,"queued":65536,"peer":"127.0.0.1:50000","detail":"65536"},{"kind":"resumed","fd":5,"queued":100,"peer":"127.0.0.1:50000"},{"kind":"refused","fd":1030,"peer":"127.0.0.1:50000","detail":"1024"},{"kind":"mode","from":"1","to":"5"},{"kind":"backend","from":"select","to":"poll"},{"kind":"exceptional","fd":5,"peer":"127.0.0.1:50000"},{"kind":"urgent","fd":5,"bytes":1,"peer":"127.0.0.1:50000","data":"b'!'"},{"kind":"close","fd":5,"dropped":3,"peer":"127.0.0.1:50000","reason":"error","detail":"EC\"ONN\nRESET"}],"queues":{"5":{"messages":1,"bytes":5}}}"#
}
