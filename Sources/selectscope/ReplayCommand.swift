import ArgumentParser
import Dashboard
import SelectCore

/// `selectscope replay FILE`: open a recorded trace in the dashboard.
struct ReplaySubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a trace (from `--record` or `server --trace`) in the dashboard, stepping forwards and backwards.",
        discussion: "Keys: space play/pause, → or n next call, ← or p previous, digits + enter jump to a call, +/- speed, ? help, q quit."
    )

    @Argument(help: "The JSON-lines trace to replay.")
    var file: String

    @Option(name: .long, help: "Language of the labels: en or zh-TW (default: from the locale).")
    var lang: String?

    func validate() throws {
        if let lang, Language(rawValue: lang) == nil {
            throw ValidationError("--lang must be en or zh-TW (got '\(lang)')")
        }
    }

    func run() throws {
        let trace: TraceFile
        do {
            trace = try TraceReader.read(path: file)
        } catch {
            stderrLine("selectscope: \(error)")
            throw ExitCode(1)
        }
        guard !trace.records.isEmpty else {
            stderrLine("selectscope: \(file) has no select() call to replay" + (trace.damage.map { " (\($0))" } ?? ""))
            throw ExitCode(1)
        }
        let language = lang.flatMap(Language.init(rawValue:)) ?? Language(locale: currentLocaleName())
        do {
            try ReplayDashboard(file: trace, language: language).run()
        } catch {
            stderrLine("selectscope: \(error)")
            throw ExitCode(1)
        }
        if let damage = trace.damage {
            stderrLine("selectscope: replayed \(trace.records.count) calls; the trace stops at \(damage)")
        }
    }
}
