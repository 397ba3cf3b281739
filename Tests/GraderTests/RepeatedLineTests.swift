@testable import Grader
import SelectCore
import Testing

/// A spinning program's repeated calls are recognised on their bytes, and only those.
@Suite struct RepeatedLineTests {
    static func line(_ seq: Int, blocked: Double = 0.02, writable: [Int32] = [4], events: [ServerEvent] = []) -> ArraySlice<UInt8> {
        var record = StepRecord()
        record.seq = seq
        record.time = Double(seq) / 1000
        record.listener = 3
        record.inputs = [3, 4]
        record.outputs = [4]
        record.writable = writable
        record.blockedMilliseconds = blocked
        record.events = events
        record.origin = CallOrigin(pid: 7, tid: 7, call: "pselect6", result: writable.count)
        return ArraySlice(Array(TraceEncoder.line(for: record).utf8))
    }

    @Test func aCallThatDiffersOnlyInNumberAndTimesRepeats() {
        var lines = RepeatedLine()
        #expect(lines.repeatedSeq(Self.line(1)) == nil)
        #expect(lines.repeatedSeq(Self.line(2, blocked: 0.5)) == 2)
        #expect(lines.repeatedSeq(Self.line(1234567)) == 1234567)
    }

    @Test func anythingElseIsDecoded() {
        var lines = RepeatedLine()
        _ = lines.repeatedSeq(Self.line(1))
        // Another result.
        #expect(lines.repeatedSeq(Self.line(2, writable: [])) == nil)
        // An empty result (a timeout) again: each one counts.
        #expect(lines.repeatedSeq(Self.line(3, writable: [])) == nil)
        // Something done: never folded, and its repeat is not either.
        let send = [ServerEvent(kind: .send, fd: 4, bytes: 3, requested: 3)]
        #expect(lines.repeatedSeq(Self.line(4, events: send)) == nil)
        #expect(lines.repeatedSeq(Self.line(5, events: send)) == nil)
        // A line not in the tracer's layout.
        #expect(lines.repeatedSeq(ArraySlice(Array("{\"t\":1}".utf8))) == nil)
    }
}
