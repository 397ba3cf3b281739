import Foundation
import Testing
@testable import SelectCore
#if canImport(Glibc)
import Glibc
#endif

/// The writers behind the trace and the text log, in process, on real pipes and files.
@Suite("outputs: whole lines, never a stalled loop, failures said")
struct OutputWriterTests {
    private final class Failures: @unchecked Sendable {
        let seen = Guarded<[OutputFailure]>([])
    }

    private static func makePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw TestFailure("pipe: errno \(errno)") }
        return (fds[0], fds[1])
    }

    @Test("a log whose pipe nobody reads: flush never blocks, lines are dropped and counted, then said")
    func logDropsWhenFull() throws {
        let pipe = try Self.makePipe()
        defer { close(pipe.read) }
        let failures = Failures()
        let writer = try QueuedLineWriter(
            LineWriter(fd: pipe.write, ownsFD: true, name: "stdout"), policy: .dropLines, bound: 16 << 10
        ) { failure in failures.seen.modify { $0.append(failure) } }
        let line = String(repeating: "x", count: 99)
        // 2 MiB of lines against a 64 KiB pipe and a 16 KiB queue.
        let start = monotonicNow()
        for _ in 0..<20_000 {
            writer.appendLine(line)
            writer.flush()
        }
        #expect(monotonicNow() - start < 5, "flushing took \(monotonicNow() - start) s")
        let droppedWhileFull = writer.droppedLines
        #expect(droppedWhileFull > 15_000, "dropped \(droppedWhileFull) of 20,000")

        // Read everything there is, then one more line: the count comes first.
        var text = ""
        var buffer = [UInt8](repeating: 0, count: 65536)
        var afters = 0
        _ = fcntl(pipe.read, F_SETFL, fcntl(pipe.read, F_GETFL) | O_NONBLOCK)
        let told = waitUntil(timeout: 5) {
            while true {
                let count = read(pipe.read, &buffer, buffer.count)
                if count <= 0 { break }
                text += String(decoding: buffer[0..<count], as: UTF8.self)
            }
            writer.appendLine("after")
            writer.flush()
            afters += 1
            return text.contains("log lines dropped") && text.contains("after\n")
        }
        #expect(told)
        // Everything still queued, written: then every line was either read or counted.
        let dropped = writer.finish(within: 5)
        while true {
            let count = read(pipe.read, &buffer, buffer.count)
            if count <= 0 { break }
            text += String(decoding: buffer[0..<count], as: UTF8.self)
        }
        let lines = text.split(separator: "\n")
        let note = try #require(lines.first { $0.hasPrefix("… ") })
        #expect(note.hasSuffix(" log lines dropped: stdout was full"), "\(note)")
        // Only whole lines reached the pipe, and none was both written and counted.
        #expect(lines.allSatisfy { $0 == Substring(line) || $0 == "after" || $0.hasPrefix("… ") }, "a line was cut")
        let written = lines.filter { $0 == Substring(line) || $0 == "after" }.count
        let counted = lines.filter { $0.hasPrefix("… ") }.compactMap { Int($0.split(separator: " ")[1]) }.reduce(0, +)
        #expect(written + dropped == 20_000 + afters, "\(written) written + \(dropped) dropped of \(20_000 + afters)")
        #expect(counted <= dropped)
        #expect(failures.seen.read { $0.isEmpty }, "dropping lines is not a failure")
    }

    @Test("a trace whose reader falls behind stops whole, and says so once")
    func traceStopsOnOverflow() throws {
        let pipe = try Self.makePipe()
        defer { close(pipe.read) }
        let failures = Failures()
        let writer = try QueuedLineWriter(
            LineWriter(fd: pipe.write, ownsFD: true, name: "stdout"), policy: .stop, bound: 16 << 10
        ) { failure in failures.seen.modify { $0.append(failure) } }
        // Far more than the pipe (64 KiB) and the bound together hold, whatever the writer
        // thread manages meanwhile: nobody reads the pipe, so the bound must bite.
        let records = 20_000
        for index in 0..<records {
            writer.appendLine("{\"seq\":\(index + 1)}")
            writer.flush()
        }
        #expect(waitUntil(timeout: 5) { failures.seen.read { $0.count == 1 } })
        #expect(failures.seen.read { $0 } == [.overflow(name: "stdout", bound: 16 << 10)])
        #expect(writer.failure == .overflow(name: "stdout", bound: 16 << 10))
        _ = writer.finish(within: 0.2)
        // What reached the pipe is a prefix of the records, without a gap.
        _ = fcntl(pipe.read, F_SETFL, fcntl(pipe.read, F_GETFL) | O_NONBLOCK)
        var text = ""
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(pipe.read, &buffer, buffer.count)
            if count <= 0 { break }
            text += String(decoding: buffer[0..<count], as: UTF8.self)
        }
        let lines = text.split(separator: "\n")
        #expect(!lines.isEmpty && lines.count < records)
        #expect(lines.enumerated().allSatisfy { $0.element == "{\"seq\":\($0.offset + 1)}" }, "a gap or a cut line")
    }

    @Test("a write that fails (/dev/full) is kept as the failure, reported once, and nothing more is written")
    func writeFailure() throws {
        let failures = Failures()
        let writer = try QueuedLineWriter(LineWriter.open(path: "/dev/full"), policy: .stop, bound: 1 << 20) { failure in
            failures.seen.modify { $0.append(failure) }
        }
        for _ in 0..<3 {
            writer.appendLine("{}")
            writer.flush()
        }
        #expect(waitUntil(timeout: 5) { writer.failure != nil })
        writer.finish(within: 2)
        #expect(failures.seen.read { $0 } == [.write(SystemError("write /dev/full", errno: ENOSPC))])
        #expect("\(writer.failure!)".contains("ENOSPC"))
    }
}

@Suite("the headless signal handler")
struct SignalHandlerTests {
    @Test("it puts errno back, and after its host is gone writes into no reused fd")
    func errnoAndReusedFD() throws {
        var saved: [Int32: sigaction] = [:]
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            var old = sigaction()
            sigaction(signal, nil, &old)
            saved[signal] = old
        }
        defer {
            // The test process keeps the dispositions it had.
            for (signal, action) in saved {
                var action = action
                sigaction(signal, &action, nil)
            }
        }
        let server = try SelectServer(config: ServerConfig(host: "127.0.0.1", port: 0))
        var host: ServerHost? = try ServerHost(server: server)
        host!.handleSignals()
        // The handler, called as the kernel would: the byte reaches the host's wake-up pipe.
        errno = ENOENT
        ServerHost.signalHandler(SIGTERM)
        #expect(errno == ENOENT, "the handler left errno \(errno)")
        host = nil
        // New descriptors take the lowest free numbers, the closed pipes' first.
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
        errno = EAGAIN
        ServerHost.signalHandler(SIGTERM)
        #expect(errno == EAGAIN)
        var byte: UInt8 = 0
        #expect(read(fds[0], &byte, 1) == -1, "the handler wrote into a pipe opened after its host was gone")
    }
}
