import Foundation
import Testing
@testable import SelectCore

/// The call in flight, interrupted calls and breakpoints (SPEC §6), on a real server loop.
@Suite struct InFlightTests {
    @Test func theCallInFlightIsPublishedWhileItBlocks() throws {
        let hosted = try HostedServer(mode: .one, watched: true)
        #expect(waitUntil(timeout: 5) { hosted.screen.inFlight != nil })
        let snapshot = hosted.screen
        let call = try #require(snapshot.inFlight)
        #expect(call.seq == 1)
        #expect(call.seq == snapshot.counters.calls, "the counter counts the call in flight")
        #expect(call.timeout == nil)
        #expect(snapshot.inputs == [hosted.server.listener])
        #expect(!call.internalFDs.isEmpty)
        #expect(snapshot.lastRecord == nil)
    }

    @Test func aPauseCutsTheBlockedCallAndMarksItInterrupted() throws {
        let hosted = try HostedServer(mode: .one, watched: true)
        #expect(waitUntil(timeout: 5) { hosted.screen.inFlight?.seq == 1 })
        hosted.host.send(.step)
        #expect(waitUntil(timeout: 5) { hosted.records.count == 1 })
        let cut = hosted.records[0]
        #expect(cut.interrupted)
        #expect(cut.isEmptyResult)
        #expect(!cut.events.contains { $0.kind == .timeout })
        #expect(waitUntil(timeout: 5) { hosted.screen.runState == .paused })
        #expect(hosted.screen.inFlight == nil, "paused: no call in flight")
    }

    @Test func aStepWhileTheSteppedCallBlocksDoesNotUseItUp() throws {
        let hosted = try HostedServer(mode: .one, watched: true)
        #expect(waitUntil(timeout: 5) { hosted.screen.inFlight?.seq == 1 })
        hosted.host.send(.step)  // pause: call 1 is cut
        #expect(waitUntil(timeout: 5) { hosted.screen.runState == .paused && hosted.records.count == 1 })
        hosted.host.send(.step)  // one step: call 2 blocks on the listener
        #expect(waitUntil(timeout: 5) { hosted.screen.inFlight?.seq == 2 })
        hosted.host.send(.step)  // cuts call 2 (interrupted), which is owed and made again as call 3
        #expect(waitUntil(timeout: 5) { hosted.screen.inFlight?.seq == 3 })
        #expect(hosted.records.last?.interrupted == true)
        // A client connects: the owed step comes back with a real result, and then the loop
        // stays paused: two spaces made one step.
        let client = try TestClient(port: hosted.port)
        defer { client.close() }
        #expect(waitUntil(timeout: 5) { hosted.records.contains { $0.readable == [hosted.server.listener] } })
        #expect(waitUntil(timeout: 5) { hosted.screen.runState == .paused && hosted.screen.inFlight == nil })
        #expect(hosted.records.count == 3)
    }

    @Test func aBreakpointPausesRightAfterTheCallThatProducedTheEvent() throws {
        let hosted = try HostedServer(mode: .three, watched: true)
        hosted.host.send(.setBreakpoints([.close]))
        let client = try TestClient(port: hosted.port)
        #expect(waitUntil(timeout: 5) { hosted.events.contains { $0.kind == .accept } })
        client.close()
        #expect(waitUntil(timeout: 5) { hosted.screen.runState == .paused })
        let hit = try #require(hosted.host.takeBreakpointHit())
        #expect(hit.breakpoint == .close)
        #expect(hosted.records.last?.seq == hit.seq, "no call after the one that closed")
        #expect(hosted.records.last?.events.contains { $0.kind == .close } == true)
    }

    @Test func breakpointListsParse() throws {
        #expect(try Breakpoint.parseList("short-send, close").get() == [.shortSend, .close])
        #expect(try Breakpoint.parseList("all").get() == Set(Breakpoint.allCases))
        guard case .failure(let error) = Breakpoint.parseList("short-send,nope") else {
            Issue.record("a bad word parsed")
            return
        }
        #expect(error.word == "nope")
    }

    /// A traced call has no timeout or exceptional events (only its socket calls'): its
    /// result itself hits those breakpoints. A built-in record needs the event.
    @Test func aTracedCallsResultHitsTimeoutAndExceptional() {
        var traced = StepRecord()
        traced.seq = 9
        traced.timeout = 2
        traced.origin = CallOrigin(pid: 1, tid: 1, call: "pselect6")
        #expect(Breakpoint.firstHit(in: traced, among: [.timeout])?.breakpoint == .timeout)
        #expect(Breakpoint.firstHit(in: traced, among: [.close]) == nil)
        var interrupted = traced
        interrupted.interrupted = true
        interrupted.origin?.error = "EINTR"
        #expect(Breakpoint.firstHit(in: interrupted, among: [.timeout]) == nil, "a cut-short call did not time out")
        var exceptional = traced
        exceptional.readable = [5]
        exceptional.exceptional = [5]
        let hit = Breakpoint.firstHit(in: exceptional, among: [.timeout, .exceptional])
        #expect(hit?.breakpoint == .exceptional && hit?.event.fd == 5 && hit?.seq == 9)
        var builtIn = traced
        builtIn.origin = nil
        #expect(Breakpoint.firstHit(in: builtIn, among: [.timeout]) == nil, "the built-in server says timeout with an event")
        builtIn.events = [ServerEvent(kind: .timeout)]
        #expect(Breakpoint.firstHit(in: builtIn, among: [.timeout])?.breakpoint == .timeout)
        #expect(Breakpoint.traceable == Breakpoint.allCases.filter { $0 != .queueAtCap })
    }

    @Test func theTraceCarriesInterruptedOnlyWhenSet() {
        var record = StepRecord()
        #expect(!TraceEncoder.line(for: record).contains("interrupted"))
        record.interrupted = true
        record.seq = 1
        let line = TraceEncoder.line(for: record)
        #expect(line.contains("\"interrupted\":true"))
        // And replay reads it back.
        let path = "/tmp/selectscope-interrupted-\(getpid()).jsonl"
        defer { unlink(path) }
        #expect(FileManager.default.createFile(atPath: path, contents: Data((line + "\n").utf8)))
        let file = try? TraceReader.read(path: path)
        #expect(file?.records.first?.interrupted == true)
    }
}
