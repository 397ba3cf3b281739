import Foundation
import SelectCore
#if canImport(Glibc)
import Glibc
#endif

/// Many submissions: each file is checked by a child `selectscope check` of its own (in its
/// own network namespace where possible, on its own port), `jobs` at a time; the children's
/// JSON reports make one table.
public enum Batch {
    /// How a file runs: `.py` with python3, anything else as an executable.
    public static func command(for file: String) -> [String] {
        let path = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
        return file.hasSuffix(".py") ? ["/usr/bin/env", "python3", path] : [path]
    }

    public static func run(files: [String], exercise: Exercise, jobs: Int, selectscope: String, extra: [String] = []) -> [(name: String, report: CheckReport)] {
        let scratch = NSTemporaryDirectory() + "selectscope-batch-\(getpid())"
        try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var reports = [CheckReport?](repeating: nil, count: files.count)
        var running: [Int32: (index: Int, port: Int, json: String)] = [:]
        var next = 0
        var usedPorts = Set<Int>()
        while next < files.count || !running.isEmpty {
            while running.count < max(1, jobs) && next < files.count {
                let index = next
                next += 1
                var port = CheckRunner.freePort() ?? 20000 + index
                while usedPorts.contains(port) { port = CheckRunner.freePort() ?? port + 1 }
                usedPorts.insert(port)
                let json = "\(scratch)/\(index).json"
                var argv = [selectscope, "check", "--exercise", String(exercise.number), "--port", String(port), "--json", json] + extra
                argv += ["--"] + command(for: files[index])
                if let pid = ChildProcess.spawn(argv, output: "\(scratch)/\(index).out") {
                    running[pid] = (index, port, json)
                } else {
                    var report = CheckReport(exercise: exercise.number, command: command(for: files[index]), port: port)
                    report.couldNotRun = "cannot start a checker"
                    reports[index] = report
                }
            }
            var status: Int32 = 0
            let pid = waitpid(-1, &status, 0)
            if pid < 0 { if errno == EINTR { continue } else { break } }
            guard let job = running.removeValue(forKey: pid) else { continue }
            if let data = FileManager.default.contents(atPath: job.json), let report = CheckReport.decode(data) {
                reports[job.index] = report
            } else {
                var report = CheckReport(exercise: exercise.number, command: command(for: files[job.index]), port: job.port)
                let output = (try? String(contentsOfFile: "\(scratch)/\(job.index).out", encoding: .utf8)) ?? ""
                report.couldNotRun = output.split(separator: "\n").last.map(String.init) ?? "the checker ended without a report"
                reports[job.index] = report
            }
        }
        return files.enumerated().map { index, file in
            ((file as NSString).lastPathComponent, reports[index] ?? CheckReport(exercise: exercise.number, command: [file], port: 0))
        }
    }
}

extension CheckReport {
    /// Reads back what `ReportFormat.json` wrote.
    public static func decode(_ data: Data) -> CheckReport? {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let exercise = object["exercise"] as? Int else { return nil }
        var report = CheckReport(exercise: exercise, command: (object["command"] as? [String]) ?? [], port: (object["port"] as? Int) ?? 0)
        report.seconds = (object["seconds"] as? Double) ?? 0
        report.couldNotRun = object["could_not_run"] as? String
        report.notes = (object["notes"] as? [String]) ?? []
        for case let check as [String: Any] in (object["checks"] as? [Any]) ?? [] {
            guard let id = (check["id"] as? String).flatMap(CheckID.init(rawValue:)),
                  let status = (check["status"] as? String).flatMap(CheckResult.Status.init(rawValue:)) else { continue }
            report.results.append(CheckResult(id: id, status: status, reason: (check["reason"] as? String) ?? "",
                                              evidence: (check["evidence"] as? [String]) ?? []))
        }
        return report
    }
}
