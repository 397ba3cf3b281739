import ArgumentParser
import Dashboard
import SelectCore
import Tracer

/// `selectscope watch`: the dashboard on any program's readiness loop (SPEC §7).
struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Open the dashboard on a program's select/poll/epoll loop (started here, or attached with --pid).",
        discussion: """
            space pauses the program at its next readiness call (it is really stopped), space
            again lets one call run, enter resumes, v cycles the views, q quits: a started program
            is killed with everything it started, an attached one is detached and keeps running.
              selectscope watch --port 0 -- python3 server.py
            """
    )

    @Option(name: .long, help: "Rewrite the program's bind() to this port (0 picks a free one).")
    var port: Int?

    @Option(name: .long, help: "What to trace: readiness or sockets (also accept, recv, send, close…).")
    var events: String = "sockets"

    @Option(name: .long, help: "Attach to this running process instead of starting one.")
    var pid: Int32?

    @Option(name: .long, help: "Record every traced call to FILE as a JSON-lines trace (replay it with `selectscope replay FILE`).")
    var record: String?

    @Option(name: .long, help: "Language of the labels: en or zh-TW (default: from the locale).")
    var lang: String?

    @Argument(parsing: .postTerminator, help: "The program to start, after `--`.")
    var command: [String] = []

    func validate() throws {
        if let lang, Language(rawValue: lang) == nil {
            throw ValidationError("--lang must be en or zh-TW (got '\(lang)')")
        }
        guard TracerOptions.Events(rawValue: events) != nil else {
            throw ValidationError("--events must be readiness or sockets (got '\(events)')")
        }
        if let port, !(0...65535).contains(port) {
            throw ValidationError("--port must be between 0 and 65535 (got \(port))")
        }
        if (pid == nil) == command.isEmpty {
            throw ValidationError("give either --pid PID or -- CMD ARGS")
        }
        if pid != nil && port != nil {
            throw ValidationError("--port rewrites bind() of a program started here; an attached program has bound already")
        }
    }

    func run() throws {
        Posix.ignoreSIGPIPE()
        let target: TraceTarget = pid.map { .attach(pid: $0) } ?? .launch(command: command[0], arguments: Array(command.dropFirst()))
        let language = lang.flatMap(Language.init(rawValue:)) ?? Language(locale: currentLocaleName())
        let commandLine = pid.map { ProcessName.commandLine(of: $0) } ?? command.joined(separator: " ")
        let dashboard: WatchDashboard
        do {
            dashboard = try WatchDashboard(options: .init(
                target: target, tracer: TracerOptions(events: TracerOptions.Events(rawValue: events)!, port: port),
                record: record, language: language, commandLine: commandLine))
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
