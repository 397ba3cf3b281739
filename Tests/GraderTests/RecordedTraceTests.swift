import Foundation
import Grader
import SelectCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The judges over records the real built-in server wrote (`selectscope server --mode N
/// --trace FILE`), driven by a plain client: mode 2 is what exercise 2 asks and not what
/// exercise 3 asks, and the other way round.
@Suite struct RecordedTraceTests {
    /// Runs `server --mode N --port 0 --trace FILE`, says hello three times, closes, stops it.
    static func recorded(mode: Int) throws -> [StepRecord] {
        let binary = try CheckRun.requireBinary()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("grader-recorded-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let trace = folder.appendingPathComponent("trace.jsonl").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["server", "--mode", String(mode), "--port", "0", "--trace", trace, "--log", "none"]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
        // "… listening on 127.0.0.1:PORT, backend select" on stderr.
        var text = ""
        let deadline = Date().addingTimeInterval(10)
        while !text.contains(", backend") && Date() < deadline {
            let data = errors.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        guard let range = text.range(of: "listening on "), let comma = text[range.upperBound...].firstIndex(of: ","),
              let colon = text[range.upperBound..<comma].lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)..<comma]) else {
            throw Failure("no port in: \(text)")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure("connect: errno \(errno)") }
        var buffer = [UInt8](repeating: 0, count: 64)
        for _ in 0..<3 {
            _ = "Hello, world".withCString { send(fd, $0, 12, 0) }
            if mode != 1 {
                var got = 0
                while got < 12 { let n = recv(fd, &buffer, 64, 0); if n <= 0 { break }; got += n }
            }
        }
        shutdown(fd, Int32(SHUT_WR))
        while recv(fd, &buffer, 64, 0) > 0 {}
        close(fd)
        // The close is in the trace once the server made the call after it: wait for it.
        let closed = Date().addingTimeInterval(5)
        while Date() < closed {
            let records = (try? TraceReader.read(path: trace).records) ?? []
            if records.contains(where: { $0.events.contains { $0.kind == .close } }) { return records }
            usleep(10_000)
        }
        throw Failure("the server never closed the connection")
    }

    static func observation(_ exercise: Int, _ records: [StepRecord]) -> Observation {
        var o = Observation(exercise: Exercise(number: exercise)!, port: 0)
        o.listened = true
        o.records = records
        return o
    }

    @Test func modeTwoSendsThroughWritefdsAndNotFromTheReadBranch() throws {
        let records = try Self.recorded(mode: 2)
        #expect(Judges.judge(.writefds, Self.observation(2, records)).passed)
        #expect(Judges.judge(.timeout, Self.observation(2, records)).passed)
        let direct = Judges.judge(.directSend, Self.observation(3, records))
        #expect(direct.status == .failed)
        #expect(direct.evidence.contains { $0.contains("select() call #") })
    }

    @Test func modeThreeSendsFromTheReadBranchAndNotThroughWritefds() throws {
        let records = try Self.recorded(mode: 3)
        #expect(Judges.judge(.directSend, Self.observation(3, records)).passed)
        let writefds = Judges.judge(.writefds, Self.observation(2, records))
        #expect(writefds.status == .failed)
        #expect(writefds.reason.contains("read branch"))
    }

    @Test func modeOneNeverSends() throws {
        let records = try Self.recorded(mode: 1)
        #expect(Judges.judge(.neverSends, Self.observation(1, records)).passed)
        #expect(Judges.judge(.writefds, Self.observation(2, records)).status == .failed)
    }

    @Test func modeFivePassesTwoSeconds() throws {
        let records = try Self.recorded(mode: 5)
        #expect(Judges.judge(.timeout, Self.observation(5, records)).passed)
        #expect(Judges.judge(.timeout, Self.observation(3, records)).status == .failed)
    }
}
