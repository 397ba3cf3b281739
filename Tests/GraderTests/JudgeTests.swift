import Grader
import SelectCore
import Testing

/// The judges over hand-made records: each rule of an exercise, broken once.
@Suite struct JudgeTests {
    static func record(_ seq: Int, inputs: [Int32] = [3, 5], outputs: [Int32] = [], readable: [Int32] = [], writable: [Int32] = [],
                       timeout: Double? = nil, blocked: Double = 1, _ events: [ServerEvent] = []) -> StepRecord {
        var record = StepRecord()
        record.seq = seq
        record.listener = 3
        record.inputs = inputs
        record.outputs = outputs
        record.readable = readable
        record.writable = writable
        record.timeout = timeout
        record.blockedMilliseconds = blocked
        record.events = events
        return record
    }

    static func recv(_ fd: Int32, _ bytes: Int) -> ServerEvent { ServerEvent(kind: .recv, fd: fd, bytes: bytes) }
    static func send(_ fd: Int32, _ bytes: Int, of requested: Int? = nil) -> ServerEvent {
        ServerEvent(kind: .send, fd: fd, bytes: bytes, requested: requested ?? bytes)
    }

    static func observation(_ exercise: Int, _ records: [StepRecord]) -> Observation {
        var o = Observation(exercise: Exercise(number: exercise)!, port: 5000)
        o.listened = true
        o.records = records
        return o
    }

    /// Exercise 2 done right: recv queues and adds to outputs, send on writable, the empty
    /// queue's writable call takes it out.
    static let exerciseTwo = [
        record(1, inputs: [3], readable: [3], [ServerEvent(kind: .accept, fd: 5, peer: PeerAddress(host: "127.0.0.1", port: 40000))]),
        record(2, readable: [5], [recv(5, 12)]),
        record(3, outputs: [5], writable: [5], [send(5, 12)]),
        record(4, outputs: [5], writable: [5], [ServerEvent(kind: .queueEmpty, fd: 5)]),
        record(5, readable: [5], [recv(5, 0), ServerEvent(kind: .close, fd: 5)]),
        record(6, inputs: [3]),
    ]

    @Test func writefdsPassesTheHomeworksOwnSequence() {
        #expect(Judges.judge(.writefds, Self.observation(2, Self.exerciseTwo)).passed)
    }

    @Test func writefdsFailsAReplyFromTheReadBranch() {
        let records = [
            Self.record(1, readable: [5], [Self.recv(5, 12), Self.send(5, 12)]),
            Self.record(2),
        ]
        let result = Judges.judge(.writefds, Self.observation(4, records))
        #expect(result.status == .failed)
        #expect(result.reason.contains("read branch"))
        #expect(result.evidence.contains { $0.contains("select() call #1") })
        #expect(result.evidence.contains { $0.contains("outputs") && $0.contains("[5]") && $0.contains("✗") })
    }

    @Test func writefdsFailsAConnectionLeftInOutputsWithNothingToSend() {
        var records = Array(Self.exerciseTwo.prefix(4))
        records[3].events = []
        records.append(Self.record(5, outputs: [5], writable: [5]))
        let result = Judges.judge(.writefds, Self.observation(2, records))
        #expect(result.status == .failed)
        #expect(result.reason.contains("stayed in outputs"))
        #expect(result.evidence.first?.contains("call #5") == true)
    }

    @Test func writefdsFailsDataReadButNeverQueuedForWriting() {
        let records = [Self.record(1, readable: [5], [Self.recv(5, 12)]), Self.record(2)]
        let result = Judges.judge(.writefds, Self.observation(2, records))
        #expect(result.status == .failed)
        #expect(result.reason.contains("did not add it to outputs"))
    }

    @Test func directSendPassesASendFromTheReadBranch() {
        let records = [Self.record(1, readable: [5], [Self.recv(5, 12), Self.send(5, 12)]), Self.record(2)]
        #expect(Judges.judge(.directSend, Self.observation(3, records)).passed)
    }

    @Test func directSendAllowsOutputsForTheRestOfAShortSend() {
        let records = [
            Self.record(1, readable: [5], [Self.recv(5, 1000), Self.send(5, 600, of: 1000)]),
            Self.record(2, outputs: [5], writable: [5], [Self.send(5, 400)]),
            Self.record(3),
        ]
        #expect(Judges.judge(.directSend, Self.observation(3, records)).passed)
    }

    @Test func directSendFailsTheExerciseTwoWay() {
        let result = Judges.judge(.directSend, Self.observation(3, Self.exerciseTwo))
        #expect(result.status == .failed)
        #expect(result.reason.contains("did not send it back in the same call"))
    }

    @Test func timeoutOfExerciseFiveIsTwoSecondsAndIdleCallsComeBackEmpty() {
        var o = Self.observation(5, [
            Self.record(1, timeout: 2, [Self.recv(5, 1), Self.send(5, 1)]),
            Self.record(2, timeout: 2, blocked: 2001),
            Self.record(3, timeout: 2, blocked: 2000),
        ])
        o.idle = IdleWindow(seconds: 4.5, calls: 2, cpuSeconds: 0, firstSeq: 2, lastSeq: 3)
        #expect(Judges.judge(.timeout, o).passed)
        o.records[1].timeout = nil
        let result = Judges.judge(.timeout, o)
        #expect(result.status == .failed)
        #expect(result.reason.contains("exercise 5 passes 2 s"))
        #expect(result.evidence.contains { $0.contains("timeout") && $0.contains("2.0 s") && $0.contains("none (blocks)") })
    }

    @Test func timeoutOfTheOtherExercisesIsNone() {
        #expect(Judges.judge(.timeout, Self.observation(3, [Self.record(1)])).passed)
        let result = Judges.judge(.timeout, Self.observation(3, [Self.record(1, timeout: 2)]))
        #expect(result.status == .failed)
        #expect(result.reason.contains("blocks until something is ready"))
    }

    @Test func closeFailsAClosedConnectionStillInInputs() {
        var o = Self.observation(2, [
            Self.record(1, inputs: [3], readable: [3], [ServerEvent(kind: .accept, fd: 5, peer: PeerAddress(host: "127.0.0.1", port: 40000))]),
            Self.record(2, readable: [5], [Self.recv(5, 0), ServerEvent(kind: .close, fd: 5)]),
            Self.record(3, inputs: [3, 5]),
        ])
        o.clients = [ClientLog(role: "closer", localPort: 40000, index: 0)]
        let result = Judges.judge(.close, o)
        #expect(result.status == .failed)
        #expect(result.reason.contains("kept it in the lists"))
        o.records[2].inputs = [3]
        #expect(Judges.judge(.close, o).passed)
    }

    @Test func noSpinFailsThousandsOfIdleCalls() {
        var o = Self.observation(2, [Self.record(1, outputs: [5], writable: [5])])
        o.idle = IdleWindow(seconds: 1.5, calls: 6000, cpuSeconds: 1.4, firstSeq: 1, lastSeq: 6000)
        let result = Judges.judge(.noSpin, o)
        #expect(result.status == .failed)
        #expect(result.reason.contains("4000/s"))
        #expect(result.evidence.contains { $0.contains("remove it from outputs") })
        o.idle = IdleWindow(seconds: 1.5, calls: 0, cpuSeconds: 0.01)
        #expect(Judges.judge(.noSpin, o).passed)
    }

    @Test func neverSendsFailsAnySend() {
        let result = Judges.judge(.neverSends, Self.observation(1, Self.exerciseTwo))
        #expect(result.status == .failed)
        #expect(result.reason.contains("exercise 1"))
    }

    @Test func slowReaderFailsAFloodNeverHeldBack() {
        var o = Self.observation(2, [])
        var flood = ClientLog(role: "flood", localPort: 40000, index: 0)
        flood.sent = [UInt8](repeating: 1, count: 4 << 20)
        o.clients = [flood]
        o.floodHeldBack = false
        #expect(Judges.judge(.slowReader, o).reason.contains("nothing bounds its queue"))
        o.floodHeldBack = true
        o.clients[0].received = flood.sent
        #expect(Judges.judge(.slowReader, o).passed)
    }

    @Test func aDeadProgramFailsRobustnessWithItsTraceback() {
        var o = Self.observation(2, [])
        o.outcome = .exited(status: 1)
        o.stderrTail = ["Traceback (most recent call last):", "KeyError: <socket>"]
        let result = Judges.judge(.sendThenClose, o)
        #expect(result.status == .failed)
        #expect(result.reason.hasSuffix("KeyError: <socket>"))
        #expect(result.evidence.contains("the program exited with status 1"))
    }
}
