import Testing
@testable import SelectCore

/// A traced program's threads each keep their own loop: one thread's lists never show in
/// another's, and the accept loop is shown first.
@Suite("loop thread feeds")
struct LoopThreadFeedsTests {
    private func record(tid: Int32, seq: Int, inputs: [Int32], readable: [Int32] = [], listener: Int32 = -1,
                        events: [ServerEvent] = []) -> StepRecord {
        var record = StepRecord()
        record.seq = seq
        record.listener = listener
        record.inputs = inputs
        record.readable = readable
        record.events = events
        record.origin = CallOrigin(pid: 100, tid: tid, call: "poll", result: readable.count)
        return record
    }

    @Test("each thread's records build its own checklist; the one waiting on the listener is shown first")
    func threadsKeepTheirOwnLoops() {
        let feeds = LoopThreadFeeds()
        #expect(feeds.snapshot(showing: nil).loopThreads.isEmpty)
        // A helper thread polls a pipe first; the accept loop comes second.
        feeds.publish(record(tid: 101, seq: 1, inputs: [9], readable: [9]))
        feeds.publish(record(tid: 100, seq: 1, inputs: [3], readable: [3], listener: 3,
                             events: [ServerEvent(kind: .accept, fd: 5, peer: PeerAddress(host: "127.0.0.1", port: 40000))]))
        feeds.publish(record(tid: 101, seq: 2, inputs: [9]))
        #expect(feeds.threads == [101, 100])
        #expect(feeds.preferred == 100)
        let shown = feeds.snapshot(showing: nil)
        #expect(shown.shownThread == 100 && shown.loopThreads == [101, 100])
        #expect(shown.inputs == [3, 5] && shown.connections.map(\.fd) == [5])
        let helper = feeds.snapshot(showing: 101)
        #expect(helper.shownThread == 101 && helper.inputs == [9] && helper.connections.isEmpty)
        #expect(helper.counters.calls == 2 && helper.tracedProgram)
        // A thread that is gone from the list falls back to the preferred one.
        #expect(feeds.snapshot(showing: 999).shownThread == 100)
    }

    @Test("the program's status reaches every thread, a thread's own only that thread")
    func statusGoesWhereItBelongs() {
        let feeds = LoopThreadFeeds()
        feeds.updateStatus { $0.listenAddress = PeerAddress(host: "127.0.0.1", port: 4321) }
        feeds.publish(record(tid: 7, seq: 1, inputs: [3], listener: 3))
        feeds.publish(record(tid: 8, seq: 1, inputs: [4]))
        feeds.updateStatus(of: 8) { $0.runState = .paused }
        #expect(feeds.snapshot(showing: 7).listenAddress.port == 4321)
        #expect(feeds.snapshot(showing: 8).listenAddress.port == 4321)
        #expect(feeds.snapshot(showing: 7).runState == .running)
        #expect(feeds.snapshot(showing: 8).runState == .paused)
    }

    @Test("every thread's records are handed to the screen, with their thread, once")
    func eachSeesEveryRecordOnce() {
        let feeds = LoopThreadFeeds()
        feeds.publish(record(tid: 1, seq: 1, inputs: [3]))
        feeds.publish(record(tid: 2, seq: 1, inputs: [4]))
        feeds.publish(record(tid: 1, seq: 2, inputs: [3]))
        var seen: [String] = []
        _ = feeds.snapshot(showing: 2) { tid, record in seen.append("\(tid):\(record.seq)") }
        #expect(seen.sorted() == ["1:1", "1:2", "2:1"])
        _ = feeds.snapshot(showing: 2) { tid, record in seen.append("again \(tid):\(record.seq)") }
        #expect(seen.count == 3)
    }
}
