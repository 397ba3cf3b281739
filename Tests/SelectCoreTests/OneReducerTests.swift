import Foundation
import LoopbackTesting
import Testing
@testable import SelectCore

extension InProcess {
    /// Issue 9, item 9: the screen's state comes from records only, through one reducer, live
    /// and in replay. A real session is checked call by call three ways: the live snapshot
    /// (the host's feed), the replay of the session's trace, and the server's own state.
    @Suite("one reducer, live and replay")
    struct OneReducer {
        /// What the panes draw, minus the producer's status (timings, kernel samples).
        struct Visible: Equatable, CustomStringConvertible {
            var mode: Mode
            var backend: BackendKind
            var inputs: [Int32]
            var outputs: [Int32]
            var rows: [String]
            var counters: [Int]

            init(_ snapshot: ServerSnapshot) {
                mode = snapshot.mode
                backend = snapshot.backend
                inputs = snapshot.inputs
                outputs = snapshot.outputs
                rows = snapshot.connections.map {
                    "\($0.fd) \($0.peer) \($0.queuedMessages)/\($0.queuedBytes) in \($0.bytesIn) out \($0.bytesOut) \($0.state.rawValue) @\($0.lastActiveSeq)"
                }
                let c = snapshot.counters
                counters = [c.calls, c.timeouts, c.accepted, c.refused, c.closed, c.bytesIn, c.bytesOut]
            }

            var description: String { "mode \(mode.rawValue) \(backend) in \(inputs) out \(outputs) \(rows) \(counters)" }
        }

        /// Visible, plus what only records carry: the last call and the log.
        struct Drawn: Equatable {
            var visible: Visible
            var lastRecord: StepRecord?
            var log: [LogEntry]
            var lastAcceptedBeforeCall: PeerAddress?

            init(_ snapshot: ServerSnapshot) {
                visible = Visible(snapshot)
                lastRecord = snapshot.lastRecord
                lastRecord?.time = 0
                lastRecord?.blockedMilliseconds = 0
                lastRecord?.costMicroseconds = 0
                // A trace writes the queue depths as a JSON object: their order is not kept.
                lastRecord?.queues.sort { $0.fd < $1.fd }
                log = snapshot.log
                lastAcceptedBeforeCall = snapshot.lastAcceptedBeforeCall
            }
        }

        /// Each call as the screen saw it, the server's own state at that moment, and the
        /// trace line the recorder wrote.
        struct Call {
            var live: ServerSnapshot
            var truth: ServerSnapshot
        }

        @Test("accepts, echoes, a draining close, a reset, a mode and a backend switch: live, replay and the server agree call by call")
        func liveReplayAndServerAgree() throws {
            var config = makeConfig(mode: .two, queueCap: 64 << 20, payloadCapture: 64)
            config.logCapacity = 50
            let server = try SelectServer(config: config)
            let host = try ServerHost(server: server)
            let feed = host.watch(logCapacity: 50)
            let calls = Guarded<[Call]>([])
            let trace = Guarded("")
            let events = Guarded<[ServerEvent]>([])
            let exited = Guarded(false)
            host.observe { record in
                // The observer runs on the loop's thread between calls: the server's state is
                // exactly what this call left, and the feed already holds the record.
                let call = Call(live: feed.snapshot(), truth: server.snapshot())
                calls.modify { $0.append(call) }
                trace.modify { $0 += TraceEncoder.line(for: record, listen: record.seq == 1 ? server.listenAddress : nil) + "\n" }
                events.modify { $0.append(contentsOf: record.events) }
            }
            host.start { _ in exited.modify { $0 = true } }
            defer {
                host.send(.stop)
                waitUntil(timeout: 5) { exited.read { $0 } }
            }
            func waitFor(_ what: String, count: Int = 1, _ match: @escaping (ServerEvent) -> Bool) throws {
                let seen = waitUntil(timeout: 10) { events.read { $0.filter(match).count >= count } }
                if !seen { throw TestFailure("never saw \(what)") }
            }
            let hello = Array("Hello, world".utf8)

            // Mode 2: three clients, one echo through `outputs`.
            let a = try TestClient(port: server.listenAddress.port)
            let b = try TestClient(port: server.listenAddress.port)
            let c = try TestClient(port: server.listenAddress.port)
            try waitFor("three accepts", count: 3) { $0.kind == .accept }
            try a.send(hello)
            #expect(try a.receive(exactly: hello.count) == hello)
            try waitFor("the queue emptied") { $0.kind == .queueEmpty }

            // Mode 4, an echo; then a draining close: the client sends more than the way back
            // holds, without reading, and finishes while the server still has it queued.
            // A switch lands in the record of the next call: the status shows it at once.
            host.send(.switchMode(.four))
            #expect(waitUntil(timeout: 5) { feed.status.mode == .four })
            try b.send(hello)
            #expect(try b.receive(exactly: hello.count) == hello)
            let d = try TestClient(port: server.listenAddress.port, receiveBuffer: 2048)
            try waitFor("the fourth accept", count: 4) { $0.kind == .accept }
            let bulk = [UInt8](repeating: UInt8(ascii: "z"), count: 512 * 1024)
            try d.send(bulk)
            d.shutdownWrite()
            try waitFor("the draining close") { $0.kind == .draining && $0.peer?.port == d.localPort }
            #expect(try d.receive(exactly: bulk.count, timeout: 20) == bulk)
            #expect(d.waitForClose(timeout: 5))
            try waitFor("d closed after draining") { $0.kind == .close && $0.peer?.port == d.localPort && $0.reason == .eof }

            // A reset.
            b.reset()
            try waitFor("the reset") { $0.kind == .close && $0.peer?.port == b.localPort }

            // Poll, then epoll, each with an echo; then a clean close.
            host.send(.switchBackend(.poll))
            #expect(waitUntil(timeout: 5) { feed.status.backend == .poll })
            try c.send(hello)
            #expect(try c.receive(exactly: hello.count) == hello)
            host.send(.switchBackend(.epoll))
            #expect(waitUntil(timeout: 5) { feed.status.backend == .epoll })
            try c.send(hello)
            #expect(try c.receive(exactly: hello.count) == hello)
            a.close()
            try waitFor("a's close") { $0.kind == .close && $0.peer?.port == a.localPort }
            host.send(.stop)
            #expect(waitUntil(timeout: 5) { exited.read { $0 } })

            let session = calls.read { $0 }
            let file = TraceReader.parse(Data(trace.read { $0 }.utf8))
            #expect(file.damage == nil)
            try #require(file.records.count == session.count)
            let timeline = ReplayTimeline(file: file, logCapacity: 50)
            var mismatches = 0
            for (index, call) in session.enumerated() where mismatches < 5 {
                let replayed = timeline.snapshot(at: index)
                let live = Drawn(call.live)
                if live != Drawn(replayed) {
                    mismatches += 1
                    Issue.record("call \(index + 1): live \(live.visible) but replay \(Visible(replayed))")
                }
                if live.visible != Visible(call.truth) {
                    mismatches += 1
                    Issue.record("call \(index + 1): the screen shows \(live.visible) but the server holds \(Visible(call.truth))")
                }
            }
            // The session went where it was meant to: the states and switches were on screen.
            let states = Set(session.flatMap { $0.live.connections.map(\.state) })
            #expect(states.contains(.closing), "no live snapshot showed the draining close")
            #expect(Set(session.map(\.live.mode)) == [.two, .four])
            #expect(Set(session.map(\.live.backend)) == [.select, .poll, .epoll])
            // The built-in server's loop is right: its short sends, draining close, reset and
            // switches give the loop's diagnoses nothing to say.
            let shortSends = events.read { $0.filter(\.isShortSend).count }
            #expect(session.allSatisfy { $0.live.diagnoses.isEmpty }, "\(session.last?.live.diagnoses ?? []) (\(shortSends) short sends)")
            // Stepping backwards replays the same as forwards.
            for index in [session.count - 1, 0, session.count / 2] {
                #expect(Drawn(timeline.snapshot(at: index)) == Drawn(session[index].live))
            }
        }

        @Test("the screen shows a new mode and the run state before the next call completes")
        func statusShowsBeforeTheNextCall() throws {
            let server = try SelectServer(config: makeConfig(mode: .one))
            let host = try ServerHost(server: server)
            let feed = host.watch()
            let exited = Guarded(false)
            host.start { _ in exited.modify { $0 = true } }
            defer {
                host.send(.stop)
                waitUntil(timeout: 5) { exited.read { $0 } }
            }
            // Before the first call returns, the screen already shows the listener it waits on.
            #expect(feed.snapshot().inputs == [server.listener])
            host.send(.step)
            #expect(waitUntil(timeout: 5) { feed.snapshot().runState == .paused })
            host.send(.switchMode(.three))
            #expect(waitUntil(timeout: 5) { feed.snapshot().mode == .three })
            host.send(.resume)
            #expect(waitUntil(timeout: 5) { feed.snapshot().runState == .running })
        }
    }
}

extension InProcess {
    /// Issue 9, item 10: the kernel's queues are sampled on the loop's thread at a bounded
    /// rate and published; the screen's snapshot only copies them.
    @Suite("kernel queues")
    struct KernelQueueTests {
        @Test("a paused loop publishes pending accepts and bytes the server has not read yet")
        func snapshotShowsKernelQueues() throws {
            let server = try SelectServer(config: makeConfig(mode: .one))
            let host = try ServerHost(server: server)
            let feed = host.watch()
            let accepted = Guarded(0)
            let exited = Guarded(false)
            host.observe { record in accepted.modify { $0 += record.events.filter { $0.kind == .accept }.count } }
            host.start { _ in exited.modify { $0 = true } }
            defer {
                host.send(.stop)
                waitUntil(timeout: 5) { exited.read { $0 } }
            }
            let first = try TestClient(port: server.listenAddress.port)
            #expect(waitUntil(timeout: 5) { accepted.read { $0 } == 1 })
            host.send(.step)
            #expect(waitUntil(timeout: 5) { feed.snapshot().runState == .paused })

            // Paused: nothing is read or accepted, the kernel holds it.
            let second = try TestClient(port: server.listenAddress.port)
            try first.send(Array(repeating: UInt8(ascii: "a"), count: 100))
            let port = first.localPort
            let shown = waitUntil(timeout: 5) {
                let snapshot = feed.snapshot()
                return snapshot.listenerPending == 1 && snapshot.connections.first { $0.peer.port == port }?.kernelUnread == 100
            }
            #expect(shown, "the pending accept and the 100 unread bytes never showed: \(feed.status.kernel)")

            // One step reads them: the next sample says so, and the server's queue holds them.
            host.send(.step)
            let read = waitUntil(timeout: 5) {
                let row = feed.snapshot().connections.first { $0.peer.port == port }
                return row?.kernelUnread == 0 && row?.queuedBytes == 100
            }
            #expect(read)
            second.close()
        }

        @Test("taking snapshots makes no kernel query; the loop samples at most ten times a second")
        func snapshotsDoNotQueryTheKernel() throws {
            let server = try SelectServer(config: makeConfig(mode: .three))
            let host = try ServerHost(server: server)
            let feed = host.watch()
            let exited = Guarded(false)
            let calls = Guarded(0)
            host.observe { _ in calls.modify { $0 += 1 } }
            host.start { _ in exited.modify { $0 = true } }
            let client = try TestClient(port: server.listenAddress.port)
            #expect(waitUntil(timeout: 5) { feed.snapshot().connections.count == 1 })

            // Busy: at least 300 calls and 0.3 s, however loaded the machine; a handful of samples.
            let start = monotonicNow()
            let queriesBefore = KernelQueues.queries.load(ordering: .relaxed)
            let callsBefore = calls.read { $0 }
            var echoes = 0
            while (monotonicNow() - start < 0.3 || calls.read({ $0 }) - callsBefore < 300) && monotonicNow() - start < 30 {
                try client.send(Array("ping".utf8))
                _ = try client.receive(exactly: 4)
                echoes += 1
            }
            let elapsed = monotonicNow() - start
            let queries = KernelQueues.queries.load(ordering: .relaxed) - queriesBefore
            let busyCalls = calls.read { $0 } - callsBefore
            // Three queries a sample (the listener, one connection's two queues).
            let samples = Double(queries) / 3
            #expect(busyCalls >= 300, "only \(busyCalls) calls in \(elapsed) s")
            #expect(samples <= (elapsed / ServerHost.sampleInterval).rounded(.up) + 1, "\(samples) samples in \(elapsed) s")
            #expect(samples >= 1)

            host.send(.stop)
            #expect(waitUntil(timeout: 5) { exited.read { $0 } })
            // The loop is gone: whatever the snapshot shows of the kernel is a copy.
            let frozen = KernelQueues.queries.load(ordering: .relaxed)
            for _ in 0..<100 { _ = feed.snapshot() }
            #expect(KernelQueues.queries.load(ordering: .relaxed) == frozen)
            #expect(feed.snapshot().connections.first?.kernelUnread != nil)
            #expect(echoes > 0)
        }
    }

    @Suite("the screen's log")
    struct LogRingTests {
        @Test("the log keeps the most recent events, oldest first, with the records' payload previews")
        func logKeepsPreviews() throws {
            let stepper = try Stepper(mode: .three, payloadCapture: 64)
            let client = try TestClient(port: stepper.port)
            var reducer = SnapshotReducer(logCapacity: 4)
            reducer.apply(try stepper.step())
            for round in 0..<3 {
                let message = Array("message \(round) ".utf8) + Array(repeating: UInt8(ascii: "x"), count: 100)
                try client.send(message)
                reducer.apply(try stepper.step())
                _ = try client.receive(exactly: message.count)
            }
            let log = reducer.snapshot().log
            #expect(log.count == 4)
            #expect(log.map(\.event.kind) == [.recv, .send, .recv, .send])
            let last = try #require(log.last)
            #expect(last.event.kind == .send)
            #expect(last.event.payload == Array(("message 2 " + String(repeating: "x", count: 54)).utf8))
            #expect(SeedLog.line(for: last.event).hasSuffix("…(110 bytes) to ('127.0.0.1', \(client.localPort))"))
        }
    }
}

extension InProcess {
    @Suite("live feed")
    struct LiveFeedTests {
        @Test("a screen far behind loses nothing: the producer applies the backlog, and the snapshot is the reducer's over every record")
        func backlogIsFoldedNotDropped() throws {
            let stepper = try Stepper(mode: .two, payloadCapture: 64)
            let feed = LiveFeed(listener: stepper.server.listener, logCapacity: 8, capacity: 3)
            var reference = SnapshotReducer(listener: stepper.server.listener, logCapacity: 8)
            var records: [StepRecord] = []
            func step() throws {
                let record = try stepper.step()
                records.append(record)
                feed.publish(record)
                reference.apply(record)
            }
            let clients = try (0..<3).map { _ in try TestClient(port: stepper.port) }
            for _ in clients { try step() }
            for client in clients {
                try client.send(Array("Hello, world".utf8))
                try step()  // recv, queued
                try step()  // sent
                try step()  // queue empty
                _ = try client.receive(exactly: 12)
            }
            #expect(records.count == 12)
            #expect(feed.foldedByProducer >= 9, "the producer should have applied the backlog past 3 records")
            let snapshot = feed.snapshot()
            #expect(snapshot == reference.snapshot(status: feed.status))
            #expect(snapshot.connections.count == 3)
            #expect(snapshot.counters.calls == records.last?.seq)
            // The records the feed copied are its own: the server's next call does not change them.
            try clients[0].send(Array("again".utf8))
            try step()
            #expect(feed.snapshot() == reference.snapshot(status: feed.status))
        }

        @Test("a record moved into the feed is what the screen applies; the producer gets back an applied record's buffers")
        func movedRecordsAreApplied() throws {
            let stepper = try Stepper(mode: .three, payloadCapture: 64)
            let feed = LiveFeed(listener: stepper.server.listener, logCapacity: 5)
            var reference = SnapshotReducer(listener: stepper.server.listener, logCapacity: 5)
            var published: [Int] = []
            func step() throws {
                var record = try stepper.step()
                reference.apply(record)
                published.append(record.seq)
                feed.publish(taking: &record)
                // What comes back is never the record just published: a fresh slot, or one
                // the screen applied in an earlier frame.
                #expect(record.seq != published.last)
                if record.seq != 0 { #expect(published.dropLast().contains(record.seq)) }
            }
            let clients = try (0..<3).map { _ in try TestClient(port: stepper.port) }
            for _ in clients { try step() }
            #expect(feed.snapshot() == reference.snapshot(status: feed.status))
            for round in 0..<4 {
                for client in clients {
                    try client.send(Array("round \(round)".utf8))
                    try step()
                    _ = try client.receive(exactly: 7)
                }
                #expect(feed.snapshot() == reference.snapshot(status: feed.status))
            }
            #expect(feed.snapshot().log.count == 5)
        }

        @Test("a batch applied at once builds the same state as its records one by one, with a log shorter than the batch's events")
        func batchEqualsOneByOne() {
            var records: [StepRecord] = []
            for seq in 1...40 {
                var record = StepRecord()
                record.seq = seq
                record.listener = 3
                record.inputs = [3] + (4..<(4 + Int32(min(seq, 6))))
                let fd = Int32(4 + seq % 6)
                if seq <= 6 {
                    record.readable = [3]
                    record.events = [ServerEvent(kind: .accept, fd: fd, peer: PeerAddress(host: "127.0.0.1", port: 40000 + seq))]
                } else {
                    record.readable = [fd]
                    record.events = [ServerEvent(kind: .recv, fd: fd, bytes: seq, payload: Array("m\(seq)".utf8)),
                                     ServerEvent(kind: .send, fd: fd, bytes: seq, requested: seq, direct: true)]
                    if seq % 9 == 0 { record.events.append(ServerEvent(kind: .close, fd: fd, reason: .eof)) }
                }
                record.queues = [QueueDepth(fd: fd, messages: 0, bytes: 0)]
                records.append(record)
            }
            for capacity in [0, 1, 7, 200] {
                var oneByOne = SnapshotReducer(listener: 3, logCapacity: capacity)
                for record in records { oneByOne.apply(record) }
                var batched = SnapshotReducer(listener: 3, logCapacity: capacity)
                records.withUnsafeMutableBufferPointer { batched.apply(contentsOf: UnsafeMutableBufferPointer(rebasing: $0[..<25])) }
                records.withUnsafeMutableBufferPointer { batched.apply(contentsOf: UnsafeMutableBufferPointer(rebasing: $0[25...])) }
                #expect(batched.snapshot() == oneByOne.snapshot(), "log capacity \(capacity)")
                #expect(batched.snapshot().log.count == min(capacity, oneByOne.snapshot().log.count))
                #expect(batched.applied == 40)
            }
        }

        @Test("records piling up between frames ring the screen's doorbell once; catching up empties the queue and loses nothing")
        func backlogRingsTheScreen() throws {
            let backlog = try Doorbell()
            let feed = LiveFeed(capacity: 10_000, backlog: backlog)
            var reference = SnapshotReducer()
            func ringing() -> Bool {
                var entry = pollfd(fd: backlog.fd, events: Int16(POLLIN), revents: 0)
                return poll(&entry, 1, 0) == 1
            }
            var seq = 0
            func publish(_ count: Int) {
                for _ in 0..<count {
                    seq += 1
                    var record = StepRecord()
                    record.seq = seq
                    reference.apply(record)
                    feed.publish(taking: &record)
                }
            }
            publish(LiveFeed.backlogAt - 1)
            #expect(!ringing())
            publish(1)
            #expect(ringing())
            publish(LiveFeed.backlogAt * 2)
            var seen: [Int] = []
            backlog.answer()
            feed.catchUp(eachOfLast: 2) { seen.append($0.seq) }
            #expect(!ringing())
            #expect(seen == [seq - 1, seq])
            #expect(feed.foldedByProducer == 0)
            #expect(feed.snapshot() == reference.snapshot(status: feed.status))
            // The queue starts again from empty: the next backlog rings again.
            publish(LiveFeed.backlogAt)
            #expect(ringing())
        }

        @Test("every record is applied, and the screen's history is handed only the last ones of a batch")
        func historySeesTheLastOfABatch() {
            let feed = LiveFeed(capacity: 100)
            var reference = SnapshotReducer()
            for seq in 1...10 {
                var record = StepRecord()
                record.seq = seq
                feed.publish(record)
                reference.apply(record)
            }
            var seen: [Int] = []
            let snapshot = feed.snapshot(eachOfLast: 3) { seen.append($0.seq) }
            #expect(seen == [8, 9, 10])
            #expect(snapshot == reference.snapshot(status: feed.status) && snapshot.counters.calls == 10)
            var all: [Int] = []
            var record = StepRecord()
            record.seq = 11
            feed.publish(record)
            _ = feed.snapshot { all.append($0.seq) }
            #expect(all == [11])
        }
    }
}

@Suite("the reducer and untrusted records")
struct ReducerInputTests {
    @Test("byte counts from a hostile trace stop at Int.max instead of trapping")
    func totalsSaturate() {
        var record = StepRecord()
        record.seq = 1
        record.listener = 3
        record.inputs = [3]
        record.readable = [3]
        record.events = [
            ServerEvent(kind: .accept, fd: 2_147_483_647, peer: PeerAddress(host: "127.0.0.1", port: 1)),
            ServerEvent(kind: .recv, fd: 2_147_483_647, bytes: .max),
            ServerEvent(kind: .send, fd: 2_147_483_647, bytes: .max, requested: .max),
        ]
        var reducer = SnapshotReducer()
        reducer.apply(record)
        record.seq = 2
        reducer.apply(record)
        let snapshot = reducer.snapshot()
        #expect(snapshot.counters.bytesIn == .max)
        #expect(snapshot.counters.bytesOut == .max)
        #expect(snapshot.connections.map(\.bytesIn) == [.max])
        #expect(snapshot.counters.accepted == 2)
    }
}

extension InProcess.OneReducer {
    @Test("paused, a switch to mode 2 puts a queued connection back in outputs on screen before the next call")
    func switchWhilePausedShowsTheNewLists() throws {
        let server = try SelectServer(config: makeConfig(mode: .one))
        let host = try ServerHost(server: server)
        let feed = host.watch()
        let exited = Guarded(false)
        host.start { _ in exited.modify { $0 = true } }
        defer {
            host.send(.stop)
            waitUntil(timeout: 5) { exited.read { $0 } }
        }
        let client = try TestClient(port: server.listenAddress.port)
        try client.send(Array("Hello, world".utf8))
        #expect(waitUntil(timeout: 5) { feed.snapshot().connections.first?.queuedBytes == 12 })
        host.send(.step)
        #expect(waitUntil(timeout: 5) { feed.snapshot().runState == .paused })
        let before = feed.snapshot()
        #expect(before.outputs.isEmpty)
        let fd = try #require(before.connections.first?.fd)

        host.send(.switchMode(.two))
        #expect(waitUntil(timeout: 5) { feed.snapshot().mode == .two })
        let after = feed.snapshot()
        #expect(after.outputs == [fd])
        #expect(after.counters.calls == before.counters.calls, "no call was made")

        // The next call's record takes over: it was given the same lists.
        host.send(.step)
        #expect(waitUntil(timeout: 5) { feed.snapshot().counters.calls > before.counters.calls })
        #expect(feed.snapshot().lastRecord?.outputs == [fd])
    }
}
