import Foundation
import LoopbackTesting
import Testing
@testable import ProcessTesting
#if canImport(Glibc)
import Glibc
#endif

/// Bad input on the command line gets one line that says what is wrong and a usage exit
/// status, never a trap (SIGILL, status 132) nor a message about something else.
@Suite("command line: bad values")
struct CommandLineTests {
    static func run(_ arguments: [String], timeout: Double = 20) throws -> (status: Int32?, process: SpawnedProcess) {
        let process = try SpawnedProcess.selectscope(arguments)
        return (process.waitForExit(timeout: timeout), process)
    }

    @Test("a negative, non-finite or absurd number is refused with its range, not 'Missing value' nor a crash",
          arguments: [
            (["server", "--port", "-1"], "--port must be between 0 and 65535 (got -1)"),
            (["server", "--queue-cap", "-5"], "--queue-cap must be between 1024 and 1073741824 bytes (got -5)"),
            (["server", "--queue-cap", "9223372036854775807"], "--queue-cap must be between 1024 and 1073741824 bytes"),
            (["dashboard", "--interval", "-1"], "--interval must be between 0.001 and 3600 seconds (got -1)"),
            (["--interval", "1e300"], "--interval must be between 0.001 and 3600 seconds (got 1e+300)"),
            (["dashboard", "--interval", "nan"], "--interval must be between 0.001 and 3600 seconds (got nan)"),
            (["dashboard", "--port", "-1"], "--port must be between 0 and 65535 (got -1)"),
            (["client", "--interval", "inf"], "--interval must be between 0 and 3600 seconds (got inf)"),
            (["client", "--interval", "-0.5"], "--interval must be between 0 and 3600 seconds (got -0.5)"),
            (["client", "--port", "-1"], "--port must be between 1 and 65535 (got -1)"),
            (["client", "--count", "-3"], "--count must be between 1 and 2147483647 (got -3)"),
            (["bench", "--duration", "inf"], "--duration must be between 0.001 and 3600 seconds (got inf)"),
            (["bench", "--duration", "-2"], "--duration must be between 0.001 and 3600 seconds (got -2)"),
            (["bench", "--connections", "-10"], "--connections must be between 1 and 10000 (got -10)"),
            (["bench", "--size", "-64"], "--size must be between 1 and 1048576 bytes (got -64)"),
            (["bench", "--pipeline", "0"], "--pipeline must be between 1 and 1024 (got 0)"),
            (["bench", "--idle", "-1"], "--idle must be between 0 and 10000 (got -1)"),
            (["bench", "--port", "99999"], "--port must be between 1 and 65535 (got 99999)"),
          ] as [([String], String)])
    func numbersOutOfRange(arguments: [String], message: String) throws {
        let (status, process) = try Self.run(arguments)
        #expect(status == 64, "exit status \(String(describing: status)): \(process.transcript)")
        #expect(process.stderr.contains(message), "\(process.transcript)")
        #expect(!process.stderr.contains("Missing value"))
        #expect(!process.stderr.contains("listening on"))
    }

    @Test("a value that is not one of a set of names is refused, and the names are listed",
          arguments: [
            (["server", "--mode", "9"], ["'9'", "'1', '2', '3', '4' or '5'"]),
            (["server", "--mode", "-1"], ["'-1'", "--mode"]),
            (["server", "--backend", "kqueue"], ["'kqueue'", "'select', 'poll' or 'epoll'"]),
            (["server", "--log", "loud"], ["'loud'", "'text' and 'none'"]),
            (["client", "--kind", "nope"], ["'nope'", "sender", "echo", "flood", "idle", "reset", "oob"]),
            (["dashboard", "--lang", "fr"], ["'fr'", "en", "zh-TW"]),
            (["replay", "x.trace", "--lang", "fr"], ["'fr'", "en", "zh-TW"]),
          ] as [([String], [String])])
    func namesOutOfSet(arguments: [String], mentions: [String]) throws {
        let (status, process) = try Self.run(arguments)
        #expect(status == 64, "exit status \(String(describing: status)): \(process.transcript)")
        for text in mentions { #expect(process.stderr.contains(text), "no \(text): \(process.transcript)") }
    }

    @Test("the help lists the values an option takes")
    func helpListsValues() throws {
        let (status, process) = try Self.run(["server", "--help"])
        #expect(status == 0)
        let help = process.stdout
        #expect(help.contains("select") && help.contains("poll") && help.contains("epoll"), "\(help)")
        #expect(help.contains("values: 1, 2, 3, 4, 5"), "\(help)")
        #expect(help.contains("values: text, none"), "\(help)")
    }

    @Test("a client with --interval inf is refused before it connects (it used to die with SIGILL after the first echo)")
    func clientInfiniteInterval() throws {
        let (server, port) = try Rig.startServer(["--mode", "2", "--log", "text"])
        defer { server.stop() }
        let (status, client) = try Self.run(["client", "--port", String(port), "--interval", "inf", "--count", "2"])
        #expect(status == 64, "exit status \(String(describing: status)): \(client.transcript)")
        #expect(client.stderr.contains("--interval must be between 0 and 3600 seconds (got inf)"))
        #expect(!server.stdout.contains("connection from"), "the client connected anyway: \(server.stdout)")
    }

    @Test("bench reports p50 ≤ p99 ≤ max from its histogram")
    func benchPercentiles() throws {
        let (server, port) = try Rig.startServer(["--mode", "3", "--log", "none"])
        defer { server.stop() }
        let (status, bench) = try Self.run(["bench", "--host", "127.0.0.1", "--port", String(port), "--connections", "4", "--duration", "0.5", "--json"], timeout: 60)
        #expect(status == 0, "\(bench.transcript)")
        let report = try #require(Rig.json(bench.stdout.split(separator: "\n").last.map(String.init) ?? ""), "\(bench.transcript)")
        let rtt = try #require(report["rtt_us"] as? [String: Any])
        let p50 = try #require((rtt["p50"] as? NSNumber)?.doubleValue)
        let p99 = try #require((rtt["p99"] as? NSNumber)?.doubleValue)
        let max = try #require((rtt["max"] as? NSNumber)?.doubleValue)
        #expect(p50 > 0 && p50 <= p99 && p99 <= max, "p50 \(p50) p99 \(p99) max \(max)")
        #expect((report["messages"] as? Int ?? 0) > 0 && report["mismatches"] as? Int == 0)
        for key in ["connections", "connected", "connect_failures", "size", "pipeline", "seconds", "messages_per_s", "mb_per_s", "errors", "idle", "open_file_limit"] {
            #expect(report[key] != nil, "no \(key) in \(report)")
        }
    }
}

/// `replay FILE` says what is wrong with the file: what kind of thing the path is, which
/// folder is closed, which line of the trace is damaged and why.
@Suite("command line: replay of a bad file")
struct ReplayFileTests {
    static func replay(_ path: String, asUser user: Int? = nil) throws -> (status: Int32?, stderr: String) {
        let process: SpawnedProcess
        if let user {
            process = try SpawnedProcess(URL(fileURLWithPath: "/usr/bin/setpriv"),
                                         ["--reuid=\(user)", "--regid=\(user)", "--clear-groups", try Rig.requireBinary().path, "replay", path])
        } else {
            process = try SpawnedProcess.selectscope(["replay", path])
        }
        return (process.waitForExit(timeout: 30), process.stderr)
    }

    @Test("a directory, a FIFO, a device or a missing path each say what they are")
    func wrongKindsOfPath() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let cases: [(String, String)] = [
            (folder.path, "it is a directory"),
            (fifo, "it is a FIFO"),
            ("/dev/zero", "it is a character device"),
            (folder.appendingPathComponent("missing.trace").path, "no such file"),
            (folder.appendingPathComponent("nowhere/missing.trace").path, "no such file (its folder \(folder.path)/nowhere does not exist either)"),
        ]
        for (path, reason) in cases {
            let (status, stderr) = try Self.replay(path)
            #expect(status == 1, "\(path): exit status \(String(describing: status)): \(stderr)")
            #expect(stderr.contains("cannot read trace \(path): \(reason)"), "\(path): \(stderr)")
            #expect(!stderr.contains("permission denied"), "\(path): \(stderr)")
        }
    }

    /// Root reads everything, so the permission cases run as `nobody`.
    @Test("a closed folder and an unreadable file say 'permission denied' and where",
          .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "needs root and setpriv to act as another user"))
    func permissions() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        chmod(folder.path, 0o755)
        let closed = folder.appendingPathComponent("closed")
        try FileManager.default.createDirectory(at: closed, withIntermediateDirectories: false)
        let inside = closed.appendingPathComponent("t.trace")
        let secret = folder.appendingPathComponent("secret.trace")
        let line = "{\"seq\":1,\"inputs\":[3],\"readable\":[3]}\n"
        try line.write(to: inside, atomically: false, encoding: .utf8)
        try line.write(to: secret, atomically: false, encoding: .utf8)
        chmod(closed.path, 0o700)
        chmod(secret.path, 0o600)
        // Every folder above must be searchable by nobody for the test to mean anything.
        guard access(FileManager.default.temporaryDirectory.path, X_OK) == 0 else { return }

        let inClosed = try Self.replay(inside.path, asUser: 65534)
        #expect(inClosed.status == 1, "\(inClosed.stderr)")
        #expect(inClosed.stderr.contains("permission denied on a folder of its path (\(closed.path) cannot be searched"), "\(inClosed.stderr)")
        #expect(!inClosed.stderr.contains("no such file"))

        let unreadable = try Self.replay(secret.path, asUser: 65534)
        #expect(unreadable.status == 1, "\(unreadable.stderr)")
        #expect(unreadable.stderr.contains("permission denied (the file is not readable by this user)"), "\(unreadable.stderr)")
    }

    @Test("a trace whose numbers are out of range exits 1 naming the line and field (it used to trap)",
          arguments: [
            ("{\"seq\":1,\"listener\":3,\"inputs\":[3,2147483648],\"readable\":[3]}", "line 1: inputs[1]: 2147483648 is not a file descriptor"),
            ("{\"seq\":1,\"listener\":9999999999,\"inputs\":[3],\"readable\":[3]}", "line 1: listener: 9999999999 is not a file descriptor"),
            ("{\"seq\":1,\"inputs\":[3],\"readable\":[3],\"blocked_ms\":1e300}", "line 1: blocked_ms: 1e+300 is out of range"),
            ("{\"seq\":1,\"inputs\":[3],\"readable\":[3],\"timeout\":1e300}", "line 1: timeout: 1e+300 is out of range"),
            ("{\"seq\":1,\"inputs\":[3],\"readable\":[3],\"events\":[{\"kind\":\"recv\",\"fd\":5,\"bytes\":9223372036854775807}]}",
             "line 1: events[0].bytes"),
          ] as [(String, String)])
    func outOfRangeTrace(line: String, message: String) throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("bad.trace")
        try (line + "\n").write(to: file, atomically: false, encoding: .utf8)
        let (status, stderr) = try Self.replay(file.path)
        #expect(status == 1, "exit status \(String(describing: status)): \(stderr)")
        #expect(stderr.contains("has no select() call to replay (\(message)"), "\(stderr)")
    }

    @Test("a large trace shows a progress line while it loads, then the replay",
          .enabled(if: TmuxSession.isAvailable, "tmux is not installed"))
    func progressWhileLoading() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("big.trace")
        var line = "{\"seq\":SEQ,\"t\":1.0,\"mode\":3,\"backend\":\"select\",\"listener\":3,\"timeout\":null,\"inputs\":[3,5,6,7],"
        line += "\"outputs\":[],\"readable\":[5],\"writable\":[],\"exceptional\":[],\"blocked_ms\":0.1,"
        line += "\"events\":[{\"kind\":\"recv\",\"fd\":5,\"bytes\":12},{\"kind\":\"send\",\"fd\":5,\"bytes\":12,\"direct\":true}],\"queues\":{\"5\":{\"messages\":0,\"bytes\":0}}}\n"
        var text = ""
        text.reserveCapacity(12_000_000)
        var seq = 1
        while text.utf8.count < 12_000_000 {
            text += line.replacingOccurrences(of: "SEQ", with: String(seq))
            seq += 1
        }
        try text.write(to: file, atomically: false, encoding: .utf8)

        let tmux = try TmuxSession([try Rig.requireBinary().path, "replay", file.path], width: 120, height: 40, environment: ["LANG": "C.UTF-8"])
        let loading = try tmux.waitFor(text: "reading \(file.path): ", timeout: 30)
        #expect(loading.contains { $0.contains("% (") && $0.contains(" MB), ") && $0.contains(" calls") }, "\(loading)")
        try tmux.waitFor(text: "REPLAY call 1/\(seq - 1)", timeout: 120)
        try tmux.sendKeys("q")
        #expect(try tmux.waitForExit(timeout: 15) == 0)
    }
}
