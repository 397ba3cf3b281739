import ArgumentParser
import Foundation
import Dashboard
import SelectCore
import Tracer

/// `selectscope watch`: the dashboard on any program's readiness loop (SPEC §7).
struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Open the dashboard on a program's select/poll/epoll loop (started here, or attached with --pid).",
        discussion: """
            space pauses the program at its next readiness call (it is really stopped), space \
            again lets one call run, enter resumes, v cycles the views, q quits: a started program \
            is killed with everything it started, an attached one is detached and keeps running.

              selectscope watch --port 0 -- python3 server.py
            """
    )

    @OptionGroup var program: TracedProgramOptions

    @Option(name: .long, help: "Record every traced call to FILE as a JSON-lines trace (replay it with `selectscope replay FILE`).")
    var record: String?

    @Option(name: .long, help: "Language of the labels (default: from the locale).")
    var lang: Language?

    @Option(name: .customLong("break"), help: ArgumentHelp(
        "Hold the program at its next readiness call when one of these events happens (comma-separated): "
            + Breakpoint.traceable.map(\.rawValue).joined(separator: ", ") + ", or all. `p` in the dashboard changes them.",
        valueName: "events"))
    var breakOn: String?

    func validate() throws {
        _ = try breakpoints()
    }

    /// `--break`'s events; queue-at-cap is refused: a foreign program's queues are its own.
    private func breakpoints() throws -> Set<Breakpoint> {
        guard let breakOn else { return [] }
        switch Breakpoint.parseList(breakOn) {
        case .failure(let error):
            throw ValidationError("--break: \(error)")
        case .success(let set):
            if let untraceable = Breakpoint.allCases.first(where: { set.contains($0) && !$0.isTraceable }),
               !breakOn.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == "all" }) {
                throw ValidationError("--break: \(untraceable.rawValue) cannot be seen in a traced program (its queues are in its own memory); use: "
                                      + Breakpoint.traceable.map(\.rawValue).joined(separator: ", ") + ", all")
            }
            return set.filter(\.isTraceable)
        }
    }

    func run() throws {
        Posix.ignoreSIGPIPE()
        let language = lang ?? Language(locale: currentLocaleName())
        let commandLine = program.pid.map { ProcessName.commandLine(of: $0) } ?? program.command.joined(separator: " ")
        let dashboard: WatchDashboard
        do {
            dashboard = try WatchDashboard(options: .init(
                target: program.target, tracer: program.tracerOptions,
                record: record, language: language, commandLine: commandLine, breakpoints: try breakpoints()))
        } catch {
            stderrLine("selectscope: \(error)")
            throw ExitCode(1)
        }
        stderrLine("selectscope: " + dashboard.run())
    }
}

/// A process's command line from /proc, for the screen's header.
enum ProcessName {
    static func commandLine(of pid: Int32) -> String {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")) else { return "" }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
    }
}

import Foundation
