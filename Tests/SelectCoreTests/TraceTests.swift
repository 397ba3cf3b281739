import Foundation
import Testing
@testable import SelectCore

private let hello = Array(ascii: "Hello, world")

/// Parses one trace line with Foundation, as any other consumer would.
func parseTraceLine(_ line: String) throws -> [String: Any] {
    #expect(!line.contains("\n"), "a trace record is one line")
    let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
    return try #require(object as? [String: Any], "not a JSON object: \(line)")
}

func ints(_ value: Any?) -> [Int]? {
    (value as? [Any])?.compactMap { ($0 as? NSNumber)?.intValue }
}

let specKeys: Set<String> = [
    "seq", "t", "mode", "backend", "listener", "timeout", "inputs", "outputs",
    "readable", "writable", "exceptional", "blocked_ms", "events", "queues",
]

extension InProcess {
    @Suite("the JSON trace (SPEC §4)")
    struct Trace {
        @Test("each call's line parses as JSON with SPEC §4's keys and the right sets")
        func recordsParse() throws {
            let stepper = try Stepper(mode: .one, payloadCapture: 64)
            let listener = Int(stepper.server.listener)
            let client = try TestClient(port: stepper.port)

            let acceptLine = TraceEncoder.line(for: try stepper.step())
            let accept = try parseTraceLine(acceptLine)
            #expect(specKeys.isSubset(of: Set(accept.keys)), "missing \(specKeys.subtracting(accept.keys))")
            #expect(accept["seq"] as? Int == 1)
            #expect(accept["mode"] as? Int == 1)
            #expect(accept["backend"] as? String == "select")
            #expect(accept["listener"] as? Int == listener)
            #expect(accept["timeout"] is NSNull)
            #expect(ints(accept["inputs"]) == [listener])
            #expect(ints(accept["outputs"]) == [])
            #expect(ints(accept["readable"]) == [listener])
            #expect(ints(accept["writable"]) == [])
            #expect(ints(accept["exceptional"]) == [])
            // The watchdog pipe is the program's own fd: listed apart, never in inputs.
            #expect(ints(accept["internal"]) == [Int(stepper.internalFD)])
            #expect(!(ints(accept["inputs"]) ?? []).contains(Int(stepper.internalFD)))
            #expect((accept["t"] as? NSNumber).map { $0.doubleValue >= 0 } == true)
            #expect((accept["blocked_ms"] as? NSNumber).map { $0.doubleValue >= 0 } == true)
            let acceptEvents = try #require(accept["events"] as? [[String: Any]])
            #expect(acceptEvents.count == 1)
            #expect(acceptEvents.first?["kind"] as? String == "accept")
            #expect(acceptEvents.first?["peer"] as? String == "127.0.0.1:\(client.localPort)")
            let fd = try #require(acceptEvents.first?["fd"] as? Int)
            #expect(fd > listener)
            let acceptQueues = try #require(accept["queues"] as? [String: [String: Int]])
            #expect(acceptQueues == ["\(fd)": ["messages": 0, "bytes": 0]])

            // A payload that needs escaping, both for Python's repr and for JSON.
            let awkward: [UInt8] = Array(ascii: "say \"hi\" \\ it's\n") + [0x00, 0xE9]
            try client.send(awkward)
            let recv = try parseTraceLine(TraceEncoder.line(for: try stepper.step()))
            #expect(recv["seq"] as? Int == 2)
            #expect(ints(recv["inputs"]) == [listener, fd])
            #expect(ints(recv["readable"]) == [fd])
            let event = try #require((recv["events"] as? [[String: Any]])?.first)
            #expect(event["kind"] as? String == "recv")
            #expect(event["fd"] as? Int == fd)
            #expect(event["bytes"] as? Int == awkward.count)
            #expect(event["data"] as? String == PythonRepr.bytes(awkward))
            let queues = try #require(recv["queues"] as? [String: [String: Int]])
            #expect(queues == ["\(fd)": ["messages": 1, "bytes": awkward.count]])

            client.close()
            let close = try parseTraceLine(TraceEncoder.line(for: try stepper.step()))
            let closeEvent = try #require((close["events"] as? [[String: Any]])?.first)
            #expect(closeEvent["kind"] as? String == "close")
            #expect(closeEvent["reason"] as? String == "eof")
            #expect(closeEvent["peer"] as? String == "127.0.0.1:\(client.localPort)")
        }

        @Test("every event kind encodes to valid JSON; a timeout record carries 2.0")
        func everyEventKind() throws {
            var record = StepRecord()
            record.seq = 42
            record.time = 1234.5678901
            record.mode = .five
            record.listener = 3
            record.timeout = 2.0
            record.inputs = [3, 5]
            record.outputs = [5]
            record.blockedMilliseconds = 2000.25
            let peer = PeerAddress(host: "127.0.0.1", port: 50000)
            record.events = [
                ServerEvent(kind: .timeout),
                ServerEvent(kind: .accept, fd: 5, peer: peer),
                ServerEvent(kind: .recv, fd: 5, bytes: 12, peer: peer, payload: hello),
                ServerEvent(kind: .send, fd: 5, bytes: 7, requested: 12, peer: peer, payload: hello, direct: true),
                ServerEvent(kind: .queueEmpty, fd: 5, peer: peer),
                ServerEvent(kind: .paused, fd: 5, bytes: 65536, peer: peer, detail: "65536"),
                ServerEvent(kind: .resumed, fd: 5, bytes: 100, peer: peer),
                ServerEvent(kind: .refused, fd: 1030, peer: peer, detail: "1024"),
                ServerEvent(kind: .mode, from: "1", to: "5"),
                ServerEvent(kind: .backend, from: "select", to: "poll"),
                ServerEvent(kind: .exceptional, fd: 5, peer: peer),
                ServerEvent(kind: .urgent, fd: 5, bytes: 1, peer: peer, payload: [0x21]),
                ServerEvent(kind: .close, fd: 5, peer: peer, reason: .error, detail: "ECONNRESET"),
            ]
            record.queues = [QueueDepth(fd: 5, messages: 1, bytes: 5)]
            let json = try parseTraceLine(TraceEncoder.line(for: record))
            #expect(specKeys.isSubset(of: Set(json.keys)))
            #expect(json["internal"] == nil, "no internal fds: no internal key")
            #expect((json["timeout"] as? NSNumber)?.doubleValue == 2.0)
            #expect(abs(((json["t"] as? NSNumber)?.doubleValue ?? 0) - 1234.567890) < 1e-6)
            let events = try #require(json["events"] as? [[String: Any]])
            #expect(events.compactMap { $0["kind"] as? String } == [
                "timeout", "accept", "recv", "send", "queue-empty", "paused", "resumed", "refused",
                "mode", "backend", "exceptional", "urgent", "close",
            ])
            #expect(events[0]["fd"] == nil)
            #expect(events[3]["bytes"] as? Int == 7)
            #expect(events[3]["requested"] as? Int == 12)
            #expect(events[3]["short"] as? Bool == true)
            #expect(events[3]["direct"] as? Bool == true)
            #expect(events[7]["fd"] as? Int == 1030)
            #expect(events[12]["reason"] as? String == "error")
            #expect(events[12]["detail"] as? String == "ECONNRESET")
            #expect(json["queues"] as? [String: [String: Int]] == ["5": ["messages": 1, "bytes": 5]])
        }

        @Test("the hangup watch, revents, and the new event kinds survive a trip through the trace")
        func newFieldsRoundTrip() throws {
            let peer = PeerAddress(host: "127.0.0.1", port: 50000)
            var record = StepRecord()
            record.seq = 7
            record.mode = .two
            record.backend = .poll
            record.listener = 3
            record.inputs = [3]
            record.outputs = [5]
            record.hangupWatch = [5, 6]
            record.hungUp = [6]
            record.returnedEvents = [
                ReturnedEvents(fd: 5, events: [.output]),
                ReturnedEvents(fd: 6, events: [.readHangup, .hangup, .error]),
                ReturnedEvents(fd: 7, events: ReadyEvents(rawValue: 0x4000)),
            ]
            record.events = [
                ServerEvent(kind: .draining, fd: 5, bytes: 24, peer: peer),
                ServerEvent(kind: .peerFinished, fd: 5, bytes: 24, peer: peer),
                ServerEvent(kind: .paused, fd: 5, bytes: 10, peer: peer, detail: ServerEvent.budgetDetail),
                ServerEvent(kind: .overBudget, bytes: 300_000, detail: "262144"),
                ServerEvent(kind: .underBudget, bytes: 100_000, detail: "262144"),
                ServerEvent(kind: .listenerPaused, fd: 3, peer: peer, detail: "EMFILE"),
                ServerEvent(kind: .listenerResumed, fd: 3, peer: peer),
                ServerEvent(kind: .close, fd: 6, bytes: 65536, peer: peer, reason: .hangup),
                ServerEvent(kind: .close, fd: 5, bytes: 24, peer: peer, reason: .modeSwitch, detail: "1"),
            ]
            let line = TraceEncoder.line(for: record)
            let json = try parseTraceLine(line)
            #expect(json["hangup_watch"] as? [Int] == [5, 6])
            #expect(json["hung_up"] as? [Int] == [6])
            #expect(line.contains(#""revents":[[5,"OUT"],[6,"ERR|HUP|RDHUP"],[7,"0x4000"]]"#), "\(line)")
            #expect(line.contains(#"{"kind":"close","fd":6,"dropped":65536"#))
            let back = try #require(TraceReader.parse(Data((line + "\n").utf8)).records.first)
            #expect(back == record)

            // select records carry no revents; records without a watch carry no watch keys.
            record.backend = .select
            record.returnedEvents = []
            record.hangupWatch = []
            record.hungUp = []
            let plain = try parseTraceLine(TraceEncoder.line(for: record))
            #expect(plain["revents"] == nil && plain["hangup_watch"] == nil && plain["hung_up"] == nil)

            #expect(SeedLog.line(for: record.events[7]) == "closing ('127.0.0.1', 50000) (the peer went while paused; 65536 bytes queued, dropped)")
            #expect(SeedLog.line(for: record.events[8]) == "closing ('127.0.0.1', 50000) (mode 1 never sends; 24 bytes queued, dropped)")
            // The seed's own close keeps the seed's words.
            #expect(SeedLog.line(for: ServerEvent(kind: .close, fd: 5, bytes: 36, peer: peer, reason: .eof)) == "closing ('127.0.0.1', 50000)")
        }
    }
}
