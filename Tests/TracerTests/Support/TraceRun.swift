import Foundation
import LoopbackTesting
import Testing
@testable import ProcessTesting
#if canImport(Glibc)
import Glibc
#endif

/// One `selectscope trace` run as a user makes it, and what it wrote.
final class TraceRun {
    let process: SpawnedProcess
    let traceFile: URL
    let folder: URL

    /// Starts `selectscope trace ARGS --trace FILE [--log none] -- COMMAND`.
    init(_ arguments: [String], command: [String] = [], log: Bool = false, folder: URL? = nil) throws {
        self.folder = try folder ?? Rig.temporaryFolder()
        traceFile = self.folder.appendingPathComponent("trace.jsonl")
        var all = ["trace"] + arguments + ["--trace", traceFile.path]
        if !log { all += ["--log", "none"] }
        if !command.isEmpty { all += ["--"] + command }
        process = try SpawnedProcess.selectscope(all)
    }

    /// The program's listening port, from the tracer's `listening on HOST:PORT` line.
    func waitForPort(timeout: Double = 30) throws -> Int {
        guard process.waitForStderr(containing: "listening on", timeout: timeout), let port = Rig.announcedPort(process.stderr) else {
            throw Rig.Failure("the traced program never listened:\n\(process.transcript)")
        }
        return port
    }

    var records: [[String: Any]] { Rig.lines(of: traceFile).compactMap { Rig.json($0) } }

    /// SIGINT (as Ctrl-C), then the exit status.
    @discardableResult
    func interrupt(timeout: Double = 10) -> Int32? {
        process.signal(SIGINT)
        return process.waitForExit(timeout: timeout)
    }

    /// For `defer`: whatever happened, nothing traced is left behind.
    func end() {
        if process.isRunning { _ = interrupt() }
        if process.isRunning { process.stop(grace: 2) }
    }
}

/// The three result lists of one call, as a record or a program's own printout gives them.
struct ReadyLists: Equatable, CustomStringConvertible {
    var inputs: [Int]? = nil
    var outputs: [Int]? = nil
    var readable: [Int]
    var writable: [Int]
    var exceptional: [Int]

    var description: String {
        "in=\(inputs.map { "\($0)" } ?? "-") out=\(outputs.map { "\($0)" } ?? "-") r=\(readable) w=\(writable) x=\(exceptional)"
    }

    /// From a trace record, sorted (select's lists come back in the order of the program's
    /// own lists; the kernel's bitmaps in fd order).
    init(record: [String: Any], withInterest: Bool) {
        readable = Rig.ints(record["readable"]).sorted()
        writable = Rig.ints(record["writable"]).sorted()
        exceptional = Rig.ints(record["exceptional"]).sorted()
        if withInterest {
            inputs = Rig.ints(record["inputs"]).sorted()
            outputs = Rig.ints(record["outputs"]).sorted()
        }
    }

    init(inputs: [Int]? = nil, outputs: [Int]? = nil, readable: [Int], writable: [Int], exceptional: [Int]) {
        self.inputs = inputs?.sorted()
        self.outputs = outputs?.sorted()
        self.readable = readable.sorted()
        self.writable = writable.sorted()
        self.exceptional = exceptional.sorted()
    }

    /// The homework's prints: `readable: [<socket.socket fd=4, …>, …]`, then writable, then
    /// exceptional, per call.
    static func python(_ output: String) -> [ReadyLists] {
        var calls: [ReadyLists] = []
        var current: [String: [Int]] = [:]
        for line in output.split(separator: "\n") {
            for name in ["readable", "writable", "exceptional"] where line.hasPrefix(name + ": [") {
                current[name] = socketFDs(line)
                if name == "exceptional", let r = current["readable"], let w = current["writable"] {
                    calls.append(ReadyLists(readable: r, writable: w, exceptional: current["exceptional"]!))
                    current = [:]
                }
            }
        }
        return calls
    }

    static func socketFDs(_ line: Substring) -> [Int] {
        var fds: [Int] = []
        var rest = line[...]
        while let range = rest.range(of: "fd=") {
            rest = rest[range.upperBound...]
            let digits = rest.prefix { $0.isNumber || $0 == "-" }
            if let fd = Int(digits) { fds.append(fd) }
        }
        return fds
    }

    /// The C test servers' prints: `poll tid=T inputs=3,4 outputs= readable=4 writable= exceptional=`.
    static func cProgram(_ output: String, prefix: String) -> [(tid: Int, lists: ReadyLists)] {
        output.split(separator: "\n").filter { $0.hasPrefix(prefix + " ") }.map { line in
            var fields: [String: [Int]] = [:]
            var tid = 0
            for word in line.split(separator: " ").dropFirst() {
                let parts = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2 else { continue }
                if parts[0] == "tid" { tid = Int(parts[1]) ?? 0; continue }
                fields[String(parts[0])] = parts[1].split(separator: ",").compactMap { Int($0) }
            }
            return (tid, ReadyLists(inputs: fields["inputs"] ?? [], outputs: fields["outputs"] ?? [], readable: fields["readable"] ?? [],
                                    writable: fields["writable"] ?? [], exceptional: fields["exceptional"] ?? []))
        }
    }
}

extension Rig {
    /// A client of the program under test, once it listens on `port`.
    static func connect(port: Int, within seconds: Double = 30) throws -> LoopbackClient {
        var client: LoopbackClient?
        guard waitUntil(timeout: seconds, { client = try? LoopbackClient(port: port); return client != nil }), let client else {
            throw Failure("nothing listened on port \(port) within \(Int(seconds)) s")
        }
        return client
    }

    /// Runs a command to its end and returns its stdout (throws on a non-zero exit).
    static func output(_ executable: URL, _ arguments: [String], timeout: Double = 30) throws -> String {
        let process = try SpawnedProcess(executable, arguments)
        guard let status = process.waitForExit(timeout: timeout) else {
            process.stop()
            throw Failure("\(executable.lastPathComponent) \(arguments) did not finish")
        }
        guard status == 0 else { throw Failure("\(executable.lastPathComponent) \(arguments) exited \(status):\n\(process.transcript)") }
        return process.stdout
    }

    /// Compiles one of `Tests/TracerTests/Programs/*.c` into `folder`.
    static func compile(_ name: String, in folder: URL) throws -> URL {
        let source = packageRoot.appendingPathComponent("Tests/TracerTests/Programs/\(name).c")
        let output = folder.appendingPathComponent(name)
        _ = try Rig.output(URL(fileURLWithPath: "/usr/bin/cc"), ["-O1", "-Wall", "-o", output.path, source.path, "-lpthread"])
        return output
    }

    /// Whether a process still exists (a zombie counts as gone).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(close, offsetBy: 2)...].prefix(1)
        return state != "Z" && state != "X"
    }

    /// The live processes whose command line is exactly `argv`.
    static func processes(withArguments argv: [String]) -> [Int32] {
        let wanted = argv.joined(separator: "\0") + "\0"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: data, as: UTF8.self) == wanted && isAlive(pid)
        }
    }

    static func procStatus(_ pid: Int32, _ key: String) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            return line.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    /// One of `Tests/TracerTests/Programs/*.py`.
    static func pythonProgram(_ name: String) -> URL {
        packageRoot.appendingPathComponent("Tests/TracerTests/Programs/\(name).py")
    }

    static var hasCompiler: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/cc") }
}

/// How a test has `selectscope trace` read the program's calls.
enum TraceReading: String, Sendable, CustomStringConvertible {
    /// At ptrace stops, socket calls too (the default).
    case stops
    /// The readiness calls only, read in the kernel (`--reader bpf`): the program never stops
    /// for them.
    case kernel

    var arguments: [String] { self == .stops ? [] : ["--events", "readiness", "--reader", "bpf"] }
    var description: String { rawValue }

    /// Whether this machine lets the tracer read calls in the kernel (root, BPF, tracefs):
    /// asked of the binary as a user would.
    static let kernelWorks: Bool = {
        guard let run = try? SpawnedProcess.selectscope(["trace", "--events", "readiness", "--reader", "bpf", "--log", "none",
                                                         "--", "/bin/true"]) else { return false }
        defer { run.stop(grace: 1) }
        return run.waitForExit(timeout: 60) == 0
    }()
}
