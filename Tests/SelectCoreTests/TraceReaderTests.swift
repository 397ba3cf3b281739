import Foundation
import Testing
@testable import SelectCore

/// A trace is untrusted input: a number no server could have written is damage at its line,
/// with the field and the reason, and every line before it still replays.
@Suite("trace reader: range checks")
struct TraceReaderTests {
    /// A whole, valid record line (the encoder's own output), with `edit` applied to its text.
    static func line(seq: Int, _ edit: (String) -> String = { $0 }) -> String {
        var record = StepRecord()
        record.seq = seq
        record.mode = .two
        record.listener = 3
        record.inputs = [3, 5]
        record.outputs = [5]
        record.readable = [5]
        record.writable = [5]
        record.blockedMilliseconds = 1.5
        record.costMicroseconds = 3.25
        record.events = [
            ServerEvent(kind: .recv, fd: 5, bytes: 12),
            ServerEvent(kind: .send, fd: 5, bytes: 12, requested: 12),
        ]
        record.queues = [QueueDepth(fd: 5, messages: 0, bytes: 0)]
        return edit(TraceEncoder.line(for: record))
    }

    /// Two good lines, then the bad one, then a good one that must not be read.
    static func parse(_ bad: String) -> TraceFile {
        let text = [line(seq: 1), line(seq: 2), bad, line(seq: 4)].joined(separator: "\n") + "\n"
        return TraceReader.parse(Data(text.utf8))
    }

    @Test("a valid line reads back as the record that was written")
    func roundTrip() throws {
        let file = Self.parse(Self.line(seq: 3))
        #expect(file.damage == nil)
        #expect(file.records.map(\.seq) == [1, 2, 3, 4])
        let record = try #require(file.records.first)
        #expect(record.inputs == [3, 5] && record.outputs == [5] && record.readable == [5] && record.writable == [5])
        #expect(record.events == [ServerEvent(kind: .recv, fd: 5, bytes: 12), ServerEvent(kind: .send, fd: 5, bytes: 12, requested: 12)])
        #expect(record.blockedMilliseconds == 1.5 && record.costMicroseconds == 3.25 && record.mode == .two)
        #expect(record.queues == [QueueDepth(fd: 5, messages: 0, bytes: 0)])
    }

    @Test("an out-of-range number is damage at its line, naming the field",
          arguments: [
            ("\"inputs\":[3,5]", "\"inputs\":[3,2147483648]", "inputs[1]: 2147483648 is not a file descriptor"),
            ("\"inputs\":[3,5]", "\"inputs\":[3,-7]", "inputs[1]: -7 is not a file descriptor"),
            ("\"readable\":[5]", "\"readable\":[99999999999999999999]", "readable[0]: 1e+20 is not a file descriptor"),
            ("\"listener\":3", "\"listener\":4294967296", "listener: 4294967296 is not a file descriptor"),
            ("\"blocked_ms\":1.500", "\"blocked_ms\":1e300", "blocked_ms: 1e+300 is out of range"),
            ("\"blocked_ms\":1.500", "\"blocked_ms\":-4", "blocked_ms: -4.0 is out of range"),
            ("\"timeout\":null", "\"timeout\":1e300", "timeout: 1e+300 is out of range"),
            ("\"cost_us\":3.25", "\"cost_us\":1e300", "cost_us: 1e+300 is out of range"),
            ("\"t\":0.000000", "\"t\":-1", "t: -1.0 is out of range"),
            ("\"mode\":2", "\"mode\":9", "mode: 9 is out of range"),
            ("\"seq\":3", "\"seq\":-3", "seq: -3 is out of range"),
            ("{\"kind\":\"recv\",\"fd\":5,\"bytes\":12}", "{\"kind\":\"recv\",\"fd\":5,\"bytes\":9223372036854775807}",
             "events[0].bytes: 9.223372036854776e+18 is out of range"),
            ("{\"kind\":\"recv\",\"fd\":5,", "{\"kind\":\"recv\",\"fd\":2147483648,", "events[0].fd: 2147483648 is not a file descriptor"),
            ("\"5\":{\"messages\":0", "\"99999999999\":{\"messages\":0", "queues: \"99999999999\" is not a file descriptor"),
            ("\"messages\":0,\"bytes\":0", "\"messages\":-1,\"bytes\":0", "queues.5.messages: -1 is out of range"),
            ("\"inputs\":[3,5]", "\"inputs\":\"3,5\"", "inputs: expected a list"),
            ("\"seq\":3", "\"seq\":\"3\"", "seq: expected a number"),
            ("\"seq\":3,", "", "not a select() record (no seq)"),
          ] as [(String, String, String)])
    func outOfRange(original: String, replacement: String, reason: String) throws {
        let bad = Self.line(seq: 3) { $0.replacingOccurrences(of: original, with: replacement) }
        #expect(bad != Self.line(seq: 3), "the edit did not apply: \(original)")
        let file = Self.parse(bad)
        #expect(file.records.map(\.seq) == [1, 2], "\(file.damage ?? "no damage")")
        let damage = try #require(file.damage)
        #expect(damage.hasPrefix("line 3: "), "\(damage)")
        #expect(damage.contains(reason), "\(damage) does not say \(reason)")
    }

    @Test("an event kind this version does not know is skipped, not damage")
    func unknownEventKind() {
        let line = Self.line(seq: 3) { $0.replacingOccurrences(of: "{\"kind\":\"recv\"", with: "{\"kind\":\"draining-later\"") }
        let file = Self.parse(line)
        #expect(file.damage == nil)
        #expect(file.records[2].events.map(\.kind) == [.send])
    }

    @Test("byte counts that would add up past Int.max stop the reading there")
    func sumsThatWouldOverflow() {
        var totals = TraceReader.Totals()
        var record = StepRecord()
        record.events = [ServerEvent(kind: .recv, fd: 5, bytes: Int.max / 2 + 1)]
        #expect(totals.add(record) == nil)
        let overflow = totals.add(record)
        #expect(overflow?.contains("add up past") == true)
        // What came before the overflow stays counted; the record that overflowed is not.
        #expect(totals.bytesIn == Int.max / 2 + 1)
    }

    @Test("the fields a record may leave out default, and a blank line is skipped")
    func minimalRecord() {
        let text = "{\"seq\":7,\"inputs\":[3],\"readable\":[]}\n\n  \n{\"seq\":8,\"inputs\":[3],\"readable\":[3],\"timeout\":2.0}\n"
        let file = TraceReader.parse(Data(text.utf8))
        #expect(file.damage == nil)
        #expect(file.records.map(\.seq) == [7, 8])
        #expect(file.records[0].listener == -1 && file.records[0].mode == .one && file.records[0].timeout == nil)
        #expect(file.records[1].timeout == 2.0)
    }

    @Test("progress is reported while a large trace is read, ending at the whole file")
    func progress() {
        let text = String(repeating: Self.line(seq: 1) + "\n", count: 6000)
        var reports: [TraceReader.Progress] = []
        let file = TraceReader.parse(Data(text.utf8)) { reports.append($0) }
        #expect(file.records.count == 6000)
        #expect(reports.count >= 2, "\(reports.count) reports for \(text.utf8.count) bytes")
        #expect(reports.last?.bytesRead == text.utf8.count && reports.last?.records == 6000)
        #expect(zip(reports, reports.dropFirst()).allSatisfy { $0.bytesRead <= $1.bytesRead })
    }

    @Test("a traced program's call reads back with its process, thread and result")
    func tracedOrigin() throws {
        var record = StepRecord()
        record.seq = 1
        record.listener = 3
        record.inputs = [3]
        record.readable = [3]
        record.origin = CallOrigin(pid: 41, tid: 42, call: "pselect6", result: -1, error: "EINTR", exceptIn: [3], damage: "result sets unreadable")
        let file = TraceReader.parse(Data((TraceEncoder.line(for: record) + "\n").utf8))
        #expect(file.damage == nil)
        #expect(try #require(file.records.first).origin == record.origin)
        let bad = TraceEncoder.line(for: record).replacingOccurrences(of: "\"tid\":42", with: "\"tid\":-5")
        #expect(TraceReader.parse(Data((bad + "\n").utf8)).damage?.contains("tid") == true)
    }
}
