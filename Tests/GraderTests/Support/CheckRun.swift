import Foundation
import Grader
#if canImport(Glibc)
import Glibc
#endif

struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs the built `selectscope check` for real and reads back its JSON report.
enum CheckRun {
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url = url.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    static let submissions = packageRoot.appendingPathComponent("Tests/GraderTests/Submissions")

    static func submission(_ name: String) -> String { submissions.appendingPathComponent(name).path }

    /// The `selectscope` built with these tests (beside the test bundle), else the newest
    /// under .build*; SELECTSCOPE_BINARY overrides.
    static let binary: String? = {
        let fm = FileManager.default
        if let path = ProcessInfo.processInfo.environment["SELECTSCOPE_BINARY"], fm.isExecutableFile(atPath: path) { return path }
        if let exe = try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            var folder = URL(fileURLWithPath: exe).deletingLastPathComponent()
            for _ in 0..<3 {
                let path = folder.appendingPathComponent("selectscope").path
                if fm.isExecutableFile(atPath: path) { return path }
                folder = folder.deletingLastPathComponent()
            }
        }
        let path = packageRoot.appendingPathComponent(".build/debug/selectscope").path
        return fm.isExecutableFile(atPath: path) ? path : nil
    }()

    static func requireBinary() throws -> String {
        guard let binary else { throw Failure("selectscope binary not found next to the tests nor in .build/debug") }
        return binary
    }

    struct Outcome {
        var status: Int32
        var output: String
        var report: CheckReport?
        var seconds: Double
    }

    /// `selectscope check --exercise N [--only …] --json FILE -- command…`
    static func check(exercise: Int, only: [CheckID]? = nil, extra: [String] = [], _ command: [String]) throws -> Outcome {
        let binary = try requireBinary()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("grader-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let json = folder.appendingPathComponent("report.json").path
        var arguments = ["check", "--exercise", String(exercise), "--json", json] + extra
        if let only { arguments += ["--only", only.map(\.rawValue).joined(separator: ",")] }
        arguments += ["--"] + command
        let started = Date()
        let (status, output) = try run(binary, arguments, in: folder)
        let report = FileManager.default.contents(atPath: json).flatMap(CheckReport.decode)
        return Outcome(status: status, output: output, report: report, seconds: Date().timeIntervalSince(started))
    }

    /// Runs a program to its end; its exit status and its stdout and stderr together.
    static func run(_ executable: String, _ arguments: [String], in folder: URL) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let output = folder.appendingPathComponent("output-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try? handle.close()
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: output)
        return (process.terminationStatus, text)
    }

    /// The homework's server N from the repository's copy (`selectscope seed N server`).
    static func homeworkServer(_ exercise: Int) throws -> String {
        let binary = try requireBinary()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("grader-seed")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let (status, text) = try run(binary, ["seed", String(exercise), "server"], in: folder)
        guard status == 0 else { throw Failure("selectscope seed \(exercise) server: \(text)") }
        let path = folder.appendingPathComponent("homework_server_\(exercise).py").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Processes whose command line mentions `marker`: what a submission may have left behind.
    static func processes(mentioning marker: String) -> [Int32] {
        var found: [Int32] = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), pid != getpid(),
                  let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
            let text = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            if text.contains(marker) && !text.contains(" check ") { found.append(pid) }
        }
        return found
    }

    static func failed(_ report: CheckReport, kind: CheckID.Kind? = nil) -> Set<CheckID> {
        Set(report.results.filter { $0.status == .failed && (kind == nil || $0.kind == kind) }.map(\.id))
    }
}

extension CheckID {
    static var behaviourChecks: [CheckID] { CheckID.allCases.filter { $0.kind == .behaviour } }
}
