import Foundation
import Testing
@testable import SelectCore

extension InProcess {
    /// Issue 5: a recorded session replays call by call with the same sets, queues and log
    /// the live server showed — forwards, and backwards.
    @Suite("record and replay")
    struct Replay {
        /// What the screen draws from, minus what a trace cannot carry exactly (timings,
        /// kernel queue samples) and what the server does not keep (the log).
        struct Visible: Equatable {
            var mode: Mode
            var inputs: [Int32]
            var outputs: [Int32]
            var rows: [String]
            var readable: [Int32]
            var writable: [Int32]
            var exceptional: [Int32]
            var events: [ServerEvent]
            var counters: [Int]

            init(_ snapshot: ServerSnapshot) {
                mode = snapshot.mode
                inputs = snapshot.inputs
                outputs = snapshot.outputs
                rows = snapshot.connections.map {
                    "\($0.fd) \($0.peer) \($0.queuedMessages)/\($0.queuedBytes) in \($0.bytesIn) out \($0.bytesOut) \($0.state)"
                }
                readable = snapshot.lastRecord?.readable ?? []
                writable = snapshot.lastRecord?.writable ?? []
                exceptional = snapshot.lastRecord?.exceptional ?? []
                events = snapshot.lastRecord?.events ?? []
                let c = snapshot.counters
                counters = [c.calls, c.timeouts, c.accepted, c.closed, c.bytesIn, c.bytesOut]
            }
        }

        @Test("three clients across modes 2, 4 and 5: every recorded call replays as the server held it, forwards and backwards")
        func replayMatchesTheLiveServer() throws {
            let stepper = try Stepper(mode: .two, payloadCapture: 64, logCapacity: 200)
            let server = stepper.server
            var live: [ServerSnapshot] = []
            var trace = ""
            func step(until done: (StepRecord) -> Bool) throws {
                for _ in 0..<50 {
                    let record = try stepper.step(timeout: 5)
                    trace += TraceEncoder.line(for: record, listen: live.isEmpty ? server.listenAddress : nil) + "\n"
                    live.append(server.snapshot())
                    if done(record) { return }
                }
                throw TestFailure("the server never got there")
            }
            let hello = Array("Hello, world".utf8)
            let clients = try (0..<3).map { _ in try TestClient(port: stepper.port) }
            var accepted = 0
            try step { record in
                accepted += record.events.filter { $0.kind == .accept }.count
                return accepted == 3
            }
            // Mode 2: each client's message is queued, sent on writable, then the queue is empty.
            for client in clients {
                try client.send(hello)
                try step { $0.events.contains { $0.kind == .queueEmpty } }
                #expect(try client.receive(exactly: 12) == hello)
            }
            // Mode 4: one echo, then a reset.
            server.switchMode(to: .four)
            try clients[0].send(hello)
            try step { $0.events.contains { $0.kind == .queueEmpty } }
            #expect(try clients[0].receive(exactly: 12) == hello)
            clients[1].reset()
            try step { $0.events.contains { $0.kind == .close } }
            // Mode 5: a direct echo, a timeout, a clean close.
            server.switchMode(to: .five)
            try clients[2].send(hello)
            try step { $0.events.contains { $0.kind == .send } }
            #expect(try clients[2].receive(exactly: 12) == hello)
            try step { $0.events.contains { $0.kind == .timeout } }
            clients[0].close()
            try step { $0.events.contains { $0.kind == .close } }

            let file = TraceReader.parse(Data(trace.utf8))
            #expect(file.damage == nil)
            #expect(file.listenAddress == server.listenAddress)
            #expect(file.records.count == live.count)
            let timeline = ReplayTimeline(file: file)
            let order = Array(live.indices) + live.indices.reversed() + [0, live.count - 1, live.count / 2]
            for index in order {
                let replayed = Visible(timeline.snapshot(at: index))
                let recorded = Visible(live[index])
                #expect(replayed == recorded, "call \(index + 1) replays differently")
            }
            #expect(Set(live.map(\.mode)) == [.two, .four, .five])
        }

        @Test("a trace cut short replays up to the damage and says where it stopped")
        func damagedTraceReplaysUpToTheDamage() throws {
            var record = StepRecord()
            record.seq = 1
            record.listener = 3
            record.inputs = [3]
            record.readable = [3]
            let first = TraceEncoder.line(for: record)
            record.seq = 2
            let second = TraceEncoder.line(for: record)
            let cut = first + "\n" + second + "\n" + String(second.prefix(40))
            let file = TraceReader.parse(Data(cut.utf8))
            #expect(file.records.map(\.seq) == [1, 2])
            #expect(file.damage?.hasPrefix("line 3") == true)

            let garbage = first + "\nnot json at all\n" + second + "\n"
            let damaged = TraceReader.parse(Data(garbage.utf8))
            #expect(damaged.records.map(\.seq) == [1])
            #expect(damaged.damage == "line 2: not a JSON object")
        }
    }
}
