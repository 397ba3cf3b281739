import Foundation
import Testing
@testable import SelectCore

/// The loop's bugs found from the records alone (`LoopDiagnostics`, kept by the one reducer):
/// each of the four from hand-built calls, with its evidence; none from correct loops.
@Suite("loop diagnoses from the calls alone")
struct LoopDiagnosticsTests {
    /// A loop's calls, made one at a time through the one reducer, 1 ms apart.
    struct Loop {
        var reducer = SnapshotReducer(listener: 3)
        var seq = 0
        var time = 0.0
        var inputs: [Int32] = [3]
        var outputs: [Int32] = []
        var tid: Int32? = 100
        /// Everything `apply` returned as newly found, in order.
        var announced: [LoopDiagnosis] = []
        var records: [StepRecord] = []
        private var diagnostics = LoopDiagnostics()

        @discardableResult
        mutating func call(readable: [Int32] = [], writable: [Int32] = [], _ events: [ServerEvent] = [], gap: Double = 0.001) -> Int {
            seq += 1
            time += gap
            var record = StepRecord()
            record.seq = seq
            record.time = time
            record.listener = 3
            record.inputs = inputs
            record.outputs = outputs
            record.readable = readable
            record.writable = writable
            record.events = events
            if let tid { record.origin = CallOrigin(pid: tid, tid: tid, call: "pselect6") }
            reducer.apply(record)
            records.append(record)
            announced += diagnostics.apply(record)
            #expect(diagnostics.found == diagnoses, "the reducer keeps the same findings as a tracker of its own")
            return seq
        }

        var diagnoses: [LoopDiagnosis] { reducer.snapshot().diagnoses }

        /// A client connects on `fd`.
        mutating func accept(_ fd: Int32) {
            call(readable: [3], [ServerEvent(kind: .accept, fd: fd, peer: PeerAddress(host: "127.0.0.1", port: 40_000 + Int(fd)))])
            inputs.append(fd)
        }

        mutating func close(_ fd: Int32, reason: ServerEvent.CloseReason? = .eof, readable: [Int32]? = nil) {
            call(readable: readable ?? [fd], [ServerEvent(kind: .recv, fd: fd, bytes: 0), ServerEvent(kind: .close, fd: fd, reason: reason)])
            inputs.removeAll { $0 == fd }
            outputs.removeAll { $0 == fd }
        }
    }

    static func recv(_ fd: Int32, _ bytes: Int) -> ServerEvent { ServerEvent(kind: .recv, fd: fd, bytes: bytes) }
    static func send(_ fd: Int32, _ bytes: Int, of requested: Int? = nil) -> ServerEvent {
        ServerEvent(kind: .send, fd: fd, bytes: bytes, requested: requested ?? bytes)
    }

    // MARK: - Writable spin

    @Test func fdLeftInOutputsWithNothingSentIsASpinWithItsRate() throws {
        var loop = Loop()
        loop.accept(5)
        loop.outputs = [5]
        loop.call(readable: [5], writable: [5], [Self.recv(5, 12), Self.send(5, 12)])
        // The queue is empty, but fd 5 stays in outputs: writable at once, every call.
        let first = loop.call(writable: [5])
        for _ in 0..<2 { loop.call(writable: [5]) }
        #expect(loop.diagnoses.isEmpty, "three calls in a row are not yet a spin")
        let fourth = loop.call(writable: [5])
        let spin = try #require(loop.diagnoses.first)
        #expect(spin.kind == .writableSpin && spin.fd == 5 && spin.since == first && spin.found == fourth && spin.calls == 4 && spin.ongoing)
        #expect(abs((spin.callsPerSecond ?? 0) - 1000) < 1, "1 ms apart: 1000 calls/s")
        for _ in 0..<96 { loop.call(writable: [5]) }
        let going = try #require(loop.diagnoses.first)
        #expect(going.calls == 100 && going.last == loop.seq && loop.diagnoses.count == 1)
        // Taken out of outputs at last: the spin is over, and said once.
        loop.outputs = []
        loop.call()
        #expect(loop.diagnoses.first?.ongoing == false)
        #expect(loop.announced.map(\.kind) == [.writableSpin])
    }

    @Test func spinRateFollowsTheLastSecond() throws {
        var loop = Loop()
        loop.accept(5)
        loop.outputs = [5]
        loop.call(writable: [5], gap: 0.01)
        for _ in 0..<200 { loop.call(writable: [5], gap: 0.01) }  // 100 calls/s for 2 s
        for _ in 0..<3000 { loop.call(writable: [5], gap: 0.0002) }  // then 5000 calls/s
        let spin = try #require(loop.diagnoses.first)
        #expect(abs((spin.callsPerSecond ?? 0) - 5000) < 50, "\(spin)")
    }

    @Test func aSpinAgainOnTheSameConnectionIsTheSameFindingAndANewConnectionIsNew() {
        var loop = Loop()
        loop.accept(5)
        loop.outputs = [5]
        for _ in 0..<5 { loop.call(writable: [5]) }
        loop.call(writable: [5], [Self.send(5, 12)])
        for _ in 0..<5 { loop.call(writable: [5]) }
        #expect(loop.diagnoses.count == 1 && loop.announced.count == 1)
        #expect(loop.diagnoses.first?.calls == 5, "the streak counts from its own start")
        loop.close(5)
        loop.accept(5)
        loop.outputs = [5]
        for _ in 0..<5 { loop.call(writable: [5]) }
        #expect(loop.diagnoses.map(\.ongoing) == [false, true])
        #expect(loop.announced.count == 2)
    }

    @Test func writableWhileReadableIsNoProofOfASpin() {
        // Edge-triggered epoll with EPOLLOUT kept: OUT comes with every IN, nothing to send.
        var loop = Loop()
        loop.accept(5)
        loop.outputs = [5]
        for _ in 0..<20 { loop.call(readable: [5], writable: [5], [Self.recv(5, 100)]) }
        #expect(loop.diagnoses.isEmpty)
        // Between them a real streak still counts: the readable calls hold it.
        for _ in 0..<2 { loop.call(writable: [5]) }
        loop.call(readable: [5], writable: [5], [Self.recv(5, 100)])
        for _ in 0..<2 { loop.call(writable: [5]) }
        #expect(loop.diagnoses.first?.calls == 4)
    }

    @Test func recordsWithoutSocketEventsAreNotJudged() {
        // `--events readiness`: the calls only. A writable fd with no send event says nothing.
        var loop = Loop()
        loop.inputs = [3, 5]
        loop.outputs = [5]
        for _ in 0..<100 { loop.call(writable: [5]) }
        #expect(loop.diagnoses.isEmpty)
    }

    // MARK: - Unsent rest

    @Test func aShortSendFollowedByOtherDataLosesTheRest() throws {
        var loop = Loop()
        loop.accept(5)
        let short = loop.call(readable: [5], [Self.recv(5, 4096), Self.send(5, 1000, of: 4096)])
        // The seed's way: it ignores the count; the next message goes, the rest never does.
        let next = loop.call(readable: [5], [Self.recv(5, 12), Self.send(5, 12)])
        let lost = try #require(loop.diagnoses.first)
        #expect(lost == LoopDiagnosis(kind: .unsentRest, fd: 5, proof: .otherDataSent(bytes: 12), since: short, found: next,
                                      calls: 1, bytesLeft: 3096, requested: 4096))
    }

    @Test func aShortSendClosedWithTheRestUnsentLosesIt() throws {
        var loop = Loop()
        loop.accept(5)
        let short = loop.call(readable: [5], [Self.recv(5, 4096), Self.send(5, 0, of: 4096)])
        loop.outputs = [5]
        loop.close(5)
        let lost = try #require(loop.diagnoses.first)
        #expect(lost.kind == .unsentRest && lost.proof == .closedWithRest && lost.since == short && lost.bytesLeft == 4096)
        #expect(!lost.ongoing, "the connection is gone")
    }

    @Test func aShortSendNobodyWatchesLosesTheRest() throws {
        var loop = Loop()
        loop.accept(5)
        let short = loop.call(readable: [5], [Self.recv(5, 2048), Self.send(5, 1024, of: 2048)])
        loop.call()
        #expect(loop.diagnoses.isEmpty, "one call of slack")
        let found = loop.call()
        let lost = try #require(loop.diagnoses.first)
        #expect(lost.proof == .notWatched && lost.since == short && lost.found == found && lost.bytesLeft == 1024)
    }

    @Test func aShortSendWhoseRestIsSentLaterIsFine() {
        var loop = Loop()
        loop.accept(5)
        loop.call(readable: [5], [Self.recv(5, 4096), Self.send(5, 1000, of: 4096)])
        loop.outputs = [5]
        // The peer does not read for a while: the fd waits in outputs, not writable.
        for _ in 0..<50 { loop.call() }
        loop.call(writable: [5], [Self.send(5, 96, of: 3096)])
        loop.call(writable: [5], [Self.send(5, 3000)])
        loop.outputs = []
        loop.call(readable: [5], [Self.recv(5, 12), Self.send(5, 12)])
        // Closed on a reset with a rest owed: the peer's doing, not a lost rest.
        loop.call(readable: [5], [Self.recv(5, 100), Self.send(5, 10, of: 100)])
        loop.outputs = [5]
        loop.close(5, reason: .error)
        #expect(loop.diagnoses.isEmpty, "\(loop.diagnoses)")
    }

    /// A traced program's short send keeps the start of what it asked to send: a retry begins
    /// with the rest's bytes, new data of the same size does not.
    @Test func aSendOfTheSameSizeIsARetryOnlyIfItBeginsWithTheRest() throws {
        func short(_ message: [UInt8], sent: Int) -> ServerEvent {
            ServerEvent(kind: .send, fd: 5, bytes: sent, requested: message.count, payload: Array(message.prefix(64)))
        }
        func full(_ message: [UInt8]) -> ServerEvent {
            ServerEvent(kind: .send, fd: 5, bytes: message.count, requested: message.count, payload: Array(message.prefix(64)))
        }
        let first = (0..<1024).map { UInt8($0 % 251) }
        let second = (1024..<2048).map { UInt8($0 % 251) }

        var retried = Loop()
        retried.accept(5)
        retried.call(readable: [5], [Self.recv(5, 1024), short(first, sent: 0)])
        retried.call(readable: [5], [Self.recv(5, 1024), full(first)])
        retried.call(readable: [5], [Self.recv(5, 1024), short(second, sent: 10)])
        retried.call(readable: [5], [full(Array(second[10...]) + first)])
        #expect(retried.diagnoses.isEmpty, "\(retried.diagnoses)")

        var dropped = Loop()
        dropped.accept(5)
        let lost = dropped.call(readable: [5], [Self.recv(5, 1024), short(first, sent: 0)])
        let next = dropped.call(readable: [5], [Self.recv(5, 1024), full(second)])
        let found = try #require(dropped.diagnoses.first)
        #expect(found.kind == .unsentRest && found.proof == .otherDataSent(bytes: 1024) && found.since == lost && found.found == next)
        #expect(found.bytesLeft == 1024 && found.requested == 1024)
    }

    @Test func anotherThreadsCallsDoNotCountAsUnwatched() {
        var loop = Loop()
        loop.accept(5)
        loop.call(readable: [5], [Self.recv(5, 4096), Self.send(5, 1000, of: 4096)])
        loop.tid = 200
        for _ in 0..<5 { loop.call() }
        #expect(loop.diagnoses.isEmpty)
    }

    // MARK: - Read after end of stream

    @Test func readingAgainAfterEndOfStream() throws {
        var loop = Loop()
        loop.accept(5)
        let end = loop.call(readable: [5], [Self.recv(5, 0)])
        let again = loop.call(readable: [5], [Self.recv(5, 0)])
        let found = try #require(loop.diagnoses.first)
        #expect(found.kind == .readAfterEOF && found.proof == .readAgain && found.since == end && found.found == again && found.calls == 1)
        for _ in 0..<9 { loop.call(readable: [5], [Self.recv(5, 0)]) }
        #expect(loop.diagnoses.first?.calls == 10, "one per call, the read and the readable return together")
        #expect(loop.diagnoses.first?.callsPerSecond.map { abs($0 - 1000) < 1 } == true)
    }

    @Test func keepingTheFdInInputsAfterEndOfStream() throws {
        var loop = Loop()
        loop.accept(5)
        let end = loop.call(readable: [5], [Self.recv(5, 0)])
        // It stays in inputs; the loop does not read it again: readable at once, every call.
        for _ in 0..<10 { loop.call(readable: [5]) }
        let found = try #require(loop.diagnoses.first)
        #expect(found.kind == .readAfterEOF && found.proof == .keptInInputs && found.since == end && found.found == end + 1 && found.calls == 10)
        loop.close(5, reason: .eof)
        #expect(loop.diagnoses.first?.ongoing == false)
    }

    @Test func closingAtEndOfStreamIsFine() {
        var loop = Loop()
        for fd: Int32 in 5...9 {
            loop.accept(fd)
            loop.call(readable: [fd], [Self.recv(fd, 12), Self.send(fd, 12)])
            loop.close(fd)
        }
        #expect(loop.diagnoses.isEmpty)
    }

    // MARK: - SO_REUSEADDR

    @Test func aListenerWithoutReuseAddressIsSaidOnce() throws {
        var loop = Loop()
        loop.call(readable: [3], [ServerEvent(kind: .listen, fd: 3, detail: ServerEvent.withoutReuseAddress),
                                  ServerEvent(kind: .accept, fd: 5)])
        loop.call()
        let found = try #require(loop.diagnoses.first)
        #expect(found.kind == .noReuseAddress && found.fd == 3 && found.since == 1)
        #expect(loop.announced.count == 1)

        var good = Loop()
        good.call(readable: [3], [ServerEvent(kind: .listen, fd: 3), ServerEvent(kind: .accept, fd: 5)])
        #expect(good.diagnoses.isEmpty)
    }

    // MARK: - A correct loop

    /// Exercise 4's correct loop, several clients, hundreds of messages, a short send now and
    /// then kept at the head of the queue: nothing to say.
    @Test func aCorrectWritefdsLoopHasNoDiagnoses() {
        var loop = Loop()
        for fd: Int32 in 5...7 { loop.accept(fd) }
        for round in 0..<300 {
            let fd = Int32(5 + round % 3)
            loop.outputs = [fd]
            loop.call(readable: [fd], [Self.recv(fd, 1024)])
            if round % 7 == 0 {
                loop.call(writable: [fd], [Self.send(fd, 100, of: 1024)])
                loop.call(writable: [fd], [Self.send(fd, 924)])
            } else {
                loop.call(writable: [fd], [Self.send(fd, 1024)])
            }
            // The queue is empty: out of outputs the first time it is found so.
            loop.call(writable: [fd], [ServerEvent(kind: .queueEmpty, fd: fd)])
            loop.outputs = []
        }
        for fd: Int32 in 5...7 { loop.close(fd) }
        #expect(loop.diagnoses.isEmpty, "\(loop.diagnoses)")
    }

    /// A session of the built-in server recorded with `server --trace` (modes 1-5, three
    /// backends, a flood at the queue cap, a reset, urgent data): nothing to say.
    @Test func aRecordedSessionOfTheBuiltInServerHasNoDiagnoses() throws {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url = url.deletingLastPathComponent()
        }
        let file = try TraceReader.read(path: url.appendingPathComponent("Tests/Fixtures/real-session.trace").path)
        #expect(file.damage == nil && file.records.count > 100)
        let replay = ReplayTimeline(file: file)
        #expect(replay.snapshot(at: replay.count - 1).diagnoses.isEmpty)
    }

    @Test func theFindingsReplayFromATraceFileAsTheyWereLive() throws {
        var loop = Loop()
        loop.call(readable: [3], [ServerEvent(kind: .listen, fd: 3, detail: ServerEvent.withoutReuseAddress)])
        loop.accept(5)
        loop.call(readable: [5], [Self.recv(5, 0)])
        for _ in 0..<3 { loop.call(readable: [5]) }
        #expect(loop.diagnoses.map(\.kind) == [.noReuseAddress, .readAfterEOF])
        // Written as `--trace` writes them, read back as `replay` reads them.
        let text = loop.records.map { TraceEncoder.line(for: $0) }.joined(separator: "\n")
        let file = TraceReader.parse(Data(text.utf8))
        #expect(file.damage == nil)
        let replay = ReplayTimeline(file: file)
        #expect(replay.snapshot(at: replay.count - 1).diagnoses == loop.diagnoses)
    }
}
