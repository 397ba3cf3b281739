import LoopbackTesting
import Foundation
import Testing
@testable import ProcessTesting
#if canImport(Glibc)
import Glibc
#endif

/// Outputs that fail or stall (issue 9, items 4 and 5): a write that fails is said at once
/// and ends the run with status 1, the trace keeps only whole records, and a log nobody
/// reads never stalls the loop nor the signals that end it.
@Suite("selectscope server: outputs that fail or stall")
struct OutputFailureTests {
    private static let hello = Array("Hello, world".utf8)

    /// Echoes `count` messages on one connection, each checked byte for byte.
    private static func echo(port: Int, count: Int, timeout: Double = 5) throws {
        let client = try LoopbackClient(port: port)
        defer { client.close() }
        for index in 0..<count {
            let message = Array("message \(index) of \(count)".utf8)
            try client.send(message)
            let back = try client.receive(exactly: message.count, timeout: timeout)
            #expect(back == message, "echo \(index) differs")
            if back != message { return }
        }
    }

    @Test("--trace /dev/full: said on stderr while it runs, and the run exits 1")
    func traceToFullDevice() throws {
        let (server, port) = try Rig.startServer(["--mode", "2", "--log", "none", "--trace", "/dev/full"])
        defer { server.stop() }
        try Self.echo(port: port, count: 3)
        // At once: before the run ends.
        #expect(server.waitForStderr(containing: "the trace stopped", timeout: 5), "\(server.transcript)")
        #expect(server.stderr.contains("/dev/full") && server.stderr.contains("ENOSPC"), "\(server.stderr)")
        #expect(server.isRunning, "a failed trace ends the trace, not the server")
        try Self.echo(port: port, count: 3)
        let status = server.stop()
        #expect(status == 1, "exit status \(String(describing: status)) after a failed trace: \(server.transcript)")
    }

    /// Whether this process may mount a tmpfs (root, a mount namespace to use): tried once.
    static let canMountTmpfs: Bool = {
        guard let folder = try? Rig.temporaryFolder() else { return false }
        defer { try? FileManager.default.removeItem(at: folder) }
        guard run("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", folder.path]) == 0 else { return false }
        _ = run("/bin/umount", [folder.path])
        return true
    }()

    @discardableResult
    private static func run(_ path: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test("a disk that fills mid-run: reported at once, exit 1, the file is whole records only",
          .enabled(if: OutputFailureTests.canMountTmpfs, "mount -t tmpfs is refused here (not root?): no 1 MiB disk to fill"))
    func diskFillsMidRun() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try #require(Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", folder.path]) == 0, "mount -t tmpfs failed")
        defer { Self.run("/bin/umount", [folder.path]) }
        let traceURL = folder.appendingPathComponent("trace.jsonl")
        let (server, port) = try Rig.startServer(["--mode", "3", "--log", "none", "--trace", traceURL.path])
        defer { server.stop() }

        // Each echo is a record of some 300 bytes: 1 MiB fills after a few thousand.
        let client = try LoopbackClient(port: port)
        defer { client.close() }
        var echoed = 0
        let filled = Rig.waitUntil(timeout: 60, interval: 0) {
            for _ in 0..<100 {
                let message = Array("fill \(echoed) ".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 40)
                guard (try? client.send(message)) != nil, (try? client.receive(exactly: message.count)) == message else { return true }
                echoed += 1
            }
            return server.stderr.contains("the trace stopped")
        }
        #expect(filled, "no failure reported after \(echoed) echoes: \(server.transcript)")
        #expect(server.stderr.contains("ENOSPC"), "\(server.stderr)")
        #expect(server.isRunning, "a full disk ends the trace, not the server")
        // The server still echoes, byte for byte.
        try Self.echo(port: port, count: 10)
        let status = server.stop()
        #expect(status == 1, "exit status \(String(describing: status)): \(server.transcript)")

        // Up to the failure, a valid trace: whole lines only, every one a record, in order.
        let data = try Data(contentsOf: traceURL)
        #expect(data.count > 500_000, "only \(data.count) bytes written")
        #expect(data.last == UInt8(ascii: "\n"), "the trace ends in the middle of a record")
        let lines = data.split(separator: UInt8(ascii: "\n"))
        var seq = 0
        for (index, line) in lines.enumerated() {
            let object = Rig.json(String(decoding: line, as: UTF8.self))
            #expect(object != nil, "line \(index + 1) of \(lines.count) is not JSON: \(String(decoding: line.prefix(200), as: UTF8.self))")
            let next = (object?["seq"] as? NSNumber)?.intValue ?? -1
            #expect(next == seq + 1, "line \(index + 1): seq \(next) after \(seq)")
            if object == nil || next != seq + 1 { break }
            seq = next
        }
    }

    @Test("--log text into a pipe nobody reads: clients are still echoed, lines are dropped and counted, SIGTERM ends it")
    func logIntoUnreadPipe() throws {
        var fds: [Int32] = [-1, -1]
        try #require(pipe(&fds) == 0)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        defer { close(readEnd) }
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        let spawned = Result { try Rig.startServer(["--mode", "2", "--log", "text"], stdout: writeEnd) }
        close(writeEnd)
        let (server, port) = try spawned.get()
        defer { server.stop() }

        // Some 900 bytes of log per echo: the pipe (64 KiB) and the log's queue (256 KiB) are
        // full long before the last of these. Blocked on its stdout, the server would stop here.
        try Self.echo(port: port, count: 3000)

        // Room again: the next record first says what was lost.
        var log = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        _ = fcntl(readEnd, F_SETFL, fcntl(readEnd, F_GETFL) | O_NONBLOCK)
        let told = try Rig.waitUntil(timeout: 10) {
            while true {
                let count = read(readEnd, &buffer, buffer.count)
                if count <= 0 { break }
                log += buffer[0..<count]
            }
            try Self.echo(port: port, count: 1)
            return String(decoding: log, as: UTF8.self).contains("log lines dropped: stdout was full")
        }
        let text = String(decoding: log, as: UTF8.self)
        #expect(told, "no line about the dropped lines in \(log.count) bytes of log")
        #expect(text.split(separator: "\n").contains { $0.hasPrefix("… ") && $0.hasSuffix(" log lines dropped: stdout was full") })

        // Full again, and a signal still ends it at once.
        try Self.echo(port: port, count: 1500)
        let sent = Rig.now()
        server.signal(SIGTERM)
        let status = server.waitForExit(timeout: 5)
        #expect(status == 0, "exit status \(String(describing: status)) after SIGTERM: \(server.transcript)")
        #expect(Rig.now() - sent < 3, "took \(Rig.now() - sent) s to end")
        #expect(server.stderr.contains("log lines dropped: stdout was full"), "no count of dropped lines at exit: \(server.stderr)")
    }

    @Test("the dashboard's --record /dev/full: a banner on screen at once, exit status 1 at the end")
    func recordToFullDevice() throws {
        let dashboard = try DashboardDriver()
        defer { dashboard.tearDown() }
        try dashboard.start(["--record", "/dev/full"])
        // The first call returns when a client connects: its record is the first write.
        try dashboard.press("c")
        let screen = try dashboard.waitFor("the recording's failure on screen") { $0.text.contains("recording stopped") }
        #expect(screen.text.contains("ENOSPC"), "\(screen)")
        // Still there after another key changes the status line.
        try dashboard.press("2")
        let later = try dashboard.waitFor("mode 2") { $0.mode == 2 }
        #expect(later.text.contains("recording stopped"), "the banner went away:\n\(later)")
        let status = try dashboard.quit()
        #expect(status == 1, "exit status \(status) after a failed recording")
    }
}
