import Dashboard
import Foundation
import LoopbackTesting
import SelectCore
import Testing

/// A replayed trace is untrusted input. Thousands of seeded mutations of a real recorded
/// session (numbers, types, cut lines, random bytes, huge values) go through the reader, the
/// replay reducer and a frame render: none may trap, hang or grow memory without bound.
/// A failure names its seed and case, so `case N` reproduces alone.
@Suite("trace fuzz")
struct TraceFuzzTests {
    /// The real session: select, poll and epoll, modes 1–5, accepts, echoes, a reset, a
    /// flood that hits the queue cap, urgent data (recorded with `server --trace`).
    static let fixture: [String] = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url = url.deletingLastPathComponent()
        }
        let path = url.appendingPathComponent("Tests/Fixtures/real-session.trace").path
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }()

    static let extremes = [
        "2147483647", "2147483648", "-1", "-2147483649", "4294967296", "1e300", "-1e300", "1e400", "1e-400",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "18446744073709551616",
        "0", "-0", "1.5", "0.000001", "1099511627776", "1099511627777", "281474976710656", "5e15",
    ]
    static let otherTypes = ["\"x\"", "null", "[]", "{}", "true", "[2147483647]", "{\"5\":{}}", "\"\u{0}\"", "\"b'\\\\x'\""]

    /// One mutation of `text`, chosen by `random`.
    static func mutate(_ text: inout [UInt8], _ random: inout SplitMix64) {
        func pick<T>(_ list: [T]) -> T { list[Int(random.next() % UInt64(list.count))] }
        func position() -> Int { text.isEmpty ? 0 : Int(random.next() % UInt64(text.count)) }
        /// The span of the first number at or after `start`.
        func token(from start: Int, where isStart: (UInt8) -> Bool) -> Range<Int>? {
            guard let first = text[start...].firstIndex(where: isStart) else { return nil }
            var end = first + 1
            while end < text.count, Self.numberBytes.contains(text[end]) { end += 1 }
            return first..<end
        }
        switch random.next() % 9 {
        case 0, 1:  // a number becomes an extreme one
            if let range = token(from: position(), where: { Self.numberStarts.contains($0) }) {
                text.replaceSubrange(range, with: Array(pick(extremes).utf8))
            }
        case 2:  // a value of another type where a number or list was
            if let range = token(from: position(), where: { Self.numberStarts.contains($0) }) {
                text.replaceSubrange(range, with: Array(pick(otherTypes).utf8))
            }
        case 3:  // a huge fd pushed into a list (poll/epoll views sized by the largest fd)
            let keys = ["\"inputs\":[", "\"outputs\":[", "\"readable\":[", "\"writable\":[", "\"exceptional\":[", "\"internal\":["]
            let key = Array(pick(keys).utf8)
            if let at = firstIndex(of: key, in: text, from: position()) ?? firstIndex(of: key, in: text, from: 0) {
                let fd = pick(["2147483647", "2147483646", "1000000", "65535", "1023", "1024"])
                let closes = text[(at + key.count)...].first == UInt8(ascii: "]")
                text.insert(contentsOf: Array((fd + (closes ? "" : ",")).utf8), at: at + key.count)
            }
        case 4:  // the text cut at a random place
            text.removeSubrange(position()..<text.count)
        case 5:  // random bytes overwrite a few places
            for _ in 0..<(1 + random.next() % 4) where !text.isEmpty {
                text[position()] = UInt8(truncatingIfNeeded: random.next())
            }
        case 6:  // random bytes inserted
            text.insert(contentsOf: random.bytes(Int(1 + random.next() % 16)), at: position())
        case 7:  // a stretch deleted
            let start = position()
            text.removeSubrange(start..<min(text.count, start + Int(random.next() % 64)))
        default:  // a stretch repeated
            let start = position()
            let stretch = Array(text[start..<min(text.count, start + Int(random.next() % 256))])
            text.insert(contentsOf: stretch, at: position())
        }
    }

    static let numberStarts = Set("-0123456789".utf8)
    static let numberBytes = Set("-+.eE0123456789".utf8)

    static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard needle.count <= haystack.count, start <= haystack.count - needle.count else { return nil }
        for index in start...(haystack.count - needle.count) where haystack[index] == needle[0] {
            if haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
        }
        return nil
    }

    /// Max resident set so far, in KiB (VmHWM of /proc/self/status).
    static func peakResidentKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return 0
    }

    /// Reads `text`, replays it and draws frames from it, as `selectscope replay` would.
    static func replayAndDraw(_ text: [UInt8], _ random: inout SplitMix64) {
        let file = TraceReader.parse(Data(text))
        guard !file.records.isEmpty else { return }
        let timeline = ReplayTimeline(file: file, logCapacity: 50)
        let last = timeline.count - 1
        let positions = [last, 0, Int(random.next() % UInt64(timeline.count))]
        _ = last
        for (step, position) in positions.enumerated() {
            var model = DashboardModel(server: timeline.snapshot(at: position))
            model.replay = ReplayInfo(position: position + 1, total: timeline.count, speed: 1, playing: false, damage: file.damage)
            model.view = DashboardView.allCases[step % DashboardView.allCases.count]
            model.language = step % 2 == 0 ? .en : .zhTW
            let (width, height) = step == 0 ? (120, 40) : (80, 24)
            let grid = DashboardRenderer.render(model, width: width, height: height)
            _ = grid.trimmedLines.count
        }
    }

    @Test("thousands of mutations of a real trace: no trap, no hang, bounded memory", .timeLimit(.minutes(5)))
    func mutationsNeverTrap() throws {
        let fixture = Self.fixture
        try #require(fixture.count > 100, "the recorded session is missing")
        // The clean session itself reads whole.
        let clean = TraceReader.parse(Data((fixture.joined(separator: "\n") + "\n").utf8))
        #expect(clean.damage == nil && clean.records.count == fixture.count, "\(clean.damage ?? "")")
        #expect(Set(clean.records.map(\.backend)) == Set(BackendKind.allCases))

        let seed: UInt64 = 0x5E1E_C75C_0DE0_0009
        let cases = 2000
        let before = Self.peakResidentKiB()
        var damaged = 0
        for number in 0..<cases {
            var random = SplitMix64(seed: seed &+ UInt64(number))
            // A window of consecutive lines keeps each case small; the windows cover the file.
            let start = Int(random.next() % UInt64(fixture.count))
            let window = fixture[start..<min(fixture.count, start + 2 + Int(random.next() % 12))]
            var text = Array((window.joined(separator: "\n") + "\n").utf8)
            for _ in 0..<(1 + random.next() % 4) { Self.mutate(&text, &random) }
            if TraceReader.parse(Data(text)).damage != nil { damaged += 1 }
            Self.replayAndDraw(text, &random)
        }
        let growth = Self.peakResidentKiB() - before
        // A 2 GiB bitmap per list (the old FDBitmap with fd 2147483647) would show here.
        #expect(growth < 256 * 1024, "peak resident memory grew by \(growth) KiB over \(cases) cases")
        // The mutations reach the checks: most cases are damaged somewhere, not all.
        #expect(damaged > cases / 4 && damaged < cases, "\(damaged) of \(cases) cases damaged")
    }

    @Test("a poll or epoll record with fd 2147483647 draws quickly, with memory sized by the lists")
    func hugeDescriptorDrawsBounded() throws {
        for backend in BackendKind.allCases {
            let line = "{\"seq\":1,\"mode\":2,\"backend\":\"\(backend.rawValue)\",\"listener\":3,\"inputs\":[3,2147483647],"
                + "\"outputs\":[2147483647],\"readable\":[2147483647],\"writable\":[2147483647],\"exceptional\":[],"
                + "\"internal\":[2147483646],\"internal_ready\":[2147483646],\"blocked_ms\":1.0,\"events\":[],\"queues\":{}}\n"
            let file = TraceReader.parse(Data(line.utf8))
            #expect(file.damage == nil, "\(file.damage ?? "")")
            let timeline = ReplayTimeline(file: file)
            let before = Self.peakResidentKiB()
            let started = Date()
            for _ in 0..<20 {
                let grid = DashboardRenderer.render(DashboardModel(server: timeline.snapshot(at: 0)), width: 120, height: 40)
                #expect(grid.trimmedLines.joined().contains("2147483647"), "\(backend): the fd is not shown")
            }
            #expect(Date().timeIntervalSince(started) < 10, "\(backend): 20 frames took \(Date().timeIntervalSince(started)) s")
            #expect(Self.peakResidentKiB() - before < 64 * 1024, "\(backend): peak memory grew \(Self.peakResidentKiB() - before) KiB")
        }
    }
}
