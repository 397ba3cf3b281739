import LoopbackTesting
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Helpers for the process tests, under one name so they cannot clash with other support
/// files of this target.
enum Rig {
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    // MARK: - Waiting

    /// Polls `condition` until it holds or `timeout` seconds pass; never a fixed sleep.
    @discardableResult
    static func waitUntil(timeout: Double, interval: Double = 0.005, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = now() + timeout
        while true {
            if try condition() { return true }
            if now() >= deadline { return false }
            usleep(useconds_t(interval * 1_000_000))
        }
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    // MARK: - Where things are

    /// The package root: the folder holding Package.swift, above this file.
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url = url.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    /// The `selectscope` executable built with these tests: beside the test bundle (swift
    /// test builds every product into the same folder), else the newest one under the
    /// package's build folders. `SELECTSCOPE_BINARY` overrides both.
    static let binary: URL? = {
        let fm = FileManager.default
        if let path = ProcessInfo.processInfo.environment["SELECTSCOPE_BINARY"], fm.isExecutableFile(atPath: path) {
            return URL(fileURLWithPath: path)
        }
        var folders: [URL] = []
        if let exe = try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            folders.append(URL(fileURLWithPath: exe).deletingLastPathComponent())
        }
        if let first = CommandLine.arguments.first {
            folders.append(URL(fileURLWithPath: first).standardizedFileURL.deletingLastPathComponent())
        }
        folders.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for folder in folders {
            // The bundle may be a folder (…/X.xctest/…) on some layouts: look a few levels up.
            var candidate = folder
            for _ in 0..<3 {
                let path = candidate.appendingPathComponent("selectscope").path
                if fm.isExecutableFile(atPath: path) { return URL(fileURLWithPath: path) }
                candidate = candidate.deletingLastPathComponent()
            }
        }
        var newest: (URL, Date)?
        let builds = (try? fm.contentsOfDirectory(atPath: packageRoot.path))?.filter { $0.hasPrefix(".build") } ?? []
        for build in builds {
            let base = packageRoot.appendingPathComponent(build)
            var paths = [base.appendingPathComponent("debug/selectscope")]
            for triple in (try? fm.contentsOfDirectory(atPath: base.path)) ?? [] {
                paths.append(base.appendingPathComponent(triple).appendingPathComponent("debug/selectscope"))
            }
            for url in paths where fm.isExecutableFile(atPath: url.path) {
                let date = ((try? fm.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date) ?? .distantPast
                if newest == nil || date > newest!.1 { newest = (url, date) }
            }
        }
        return newest?.0
    }()

    static func requireBinary() throws -> URL {
        guard let binary else { throw Failure("selectscope binary not found next to the tests nor under \(packageRoot.path)/.build*") }
        return binary
    }

    /// The homework as the course hands it out: `../shared/seed/*.txt` beside the package
    /// (nil in a user's clone, where only the repository's own copy is there).
    static let seedFile: URL? = {
        let folder = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/seed")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        for name in names where name.hasSuffix(".txt") {
            let url = folder.appendingPathComponent(name)
            if let text = try? String(contentsOf: url, encoding: .utf8), text.contains("練習1"), text.contains("from select import select") {
                return url
            }
        }
        return nil
    }()

    /// One of the homework's programs from the repository's own copy, as `selectscope seed`
    /// prints it (with `port` instead of 1234 when given), written into `folder`.
    static func homeworkProgram(exercise: Int, part: String, port: Int?, in folder: URL) throws -> URL {
        var arguments = ["seed", String(exercise), part]
        if let port { arguments += ["--port", String(port)] }
        let process = try SpawnedProcess.selectscope(arguments)
        guard process.waitForExit(timeout: 30) == 0 else {
            throw Failure("selectscope \(arguments.joined(separator: " ")) failed: \(process.transcript)")
        }
        let url = folder.appendingPathComponent("\(part)\(exercise).py")
        try Data(process.stdout.utf8).write(to: url)
        return url
    }

    static let oracleFolder = packageRoot.appendingPathComponent("Tests/Oracle")

    static let python: URL? = {
        for path in ["/usr/bin/python3", "/usr/local/bin/python3", "/bin/python3"] where FileManager.default.isExecutableFile(atPath: path) {
            return URL(fileURLWithPath: path)
        }
        let pathVariable = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for folder in pathVariable.split(separator: ":") {
            let path = "\(folder)/python3"
            if FileManager.default.isExecutableFile(atPath: path) { return URL(fileURLWithPath: path) }
        }
        return nil
    }()

    /// A fresh, empty temporary folder for one test.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("selectscope-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The complete lines of a file another process is writing (a partial last line is left
    /// for the next read).
    static func lines(of url: URL) -> [String] {
        guard let data = FileManager.default.contents(atPath: url.path), !data.isEmpty else { return [] }
        var text = String(decoding: data, as: UTF8.self)
        if !text.hasSuffix("\n") {
            guard let cut = text.lastIndex(of: "\n") else { return [] }
            text = String(text[...cut])
        }
        return text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    static func json(_ line: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }

    static func ints(_ value: Any?) -> [Int] {
        (value as? [Any])?.compactMap { ($0 as? NSNumber)?.intValue } ?? []
    }

    // MARK: - Ports

    /// A port nobody listens on right now (bound to port 0, then released; never connected,
    /// so it leaves no TIME_WAIT behind).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw Failure("bind: errno \(errno)") }
        return LoopbackClient.localPort(of: fd)
    }

    /// The port a `selectscope server` announced on stderr ("listening on 127.0.0.1:PORT").
    static func announcedPort(_ stderr: String) -> Int? {
        guard let range = stderr.range(of: "listening on ") else { return nil }
        let rest = stderr[range.upperBound...]
        let address = rest.prefix { !$0.isWhitespace && $0 != "," }
        guard let colon = address.lastIndex(of: ":") else { return nil }
        return Int(address[address.index(after: colon)...])
    }
}

extension Rig {
    /// A listening socket on 127.0.0.1 (no SO_REUSEADDR), to make a port busy.
    final class Listener {
        let fd: Int32
        let port: Int

        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw Failure("socket: errno \(errno)") }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0, listen(fd, 8) == 0 else {
                let code = errno
                close(fd)
                throw Failure("bind/listen: errno \(code)")
            }
            self.fd = fd
            port = LoopbackClient.localPort(of: fd)
        }

        deinit { close(fd) }
    }
}
