import ArgumentParser
import Dashboard
import SelectCore
#if canImport(Glibc)
import Glibc
#endif

/// `selectscope replay FILE`: open a recorded trace in the dashboard.
struct ReplaySubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a trace (from `--record` or `server --trace`) in the dashboard, stepping forwards and backwards.",
        discussion: """
            Keys: space play/pause, → or n next call, ← or p previous, digits + enter jump to a call, +/- speed, ? help, q quit.
            A damaged trace replays up to the first bad line; the line and the reason are shown.
            """
    )

    @Argument(help: "The JSON-lines trace to replay.", completion: .file())
    var file: String

    @Option(name: .long, help: "Language of the labels (default: from the locale).")
    var lang: Language?

    func run() throws {
        let trace: TraceFile
        do {
            trace = try Self.load(file)
        } catch {
            stderrLine("selectscope: \(error)")
            throw ExitCode(1)
        }
        guard !trace.records.isEmpty else {
            stderrLine("selectscope: \(file) has no select() call to replay" + (trace.damage.map { " (\($0))" } ?? ""))
            throw ExitCode(1)
        }
        let language = lang ?? Language(locale: currentLocaleName())
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

    /// Reads the trace; on a terminal, a progress line on stderr says how far a large one
    /// has got (a 30 MB trace takes seconds).
    static func load(_ path: String) throws -> TraceFile {
        guard isatty(STDERR_FILENO) == 1 else { return try TraceReader.read(path: path) }
        let writer = LineWriter(fd: STDERR_FILENO)
        var shown = false
        defer {
            if shown {
                writer.append("\r\u{1B}[K")
                writer.flush()
            }
        }
        return try TraceReader.read(path: path) { progress in
            guard progress.bytesRead < progress.totalBytes else { return }
            shown = true
            writer.append("\r\u{1B}[K" + progressLine(path: path, progress))
            writer.flush()
        }
    }

    /// `reading big.trace: 45% (13.6 of 30.2 MB), 51200 calls`.
    static func progressLine(path: String, _ progress: TraceReader.Progress) -> String {
        let total = max(1, progress.totalBytes)
        let percent = progress.bytesRead * 100 / total
        func megabytes(_ bytes: Int) -> String { TraceEncoder.decimal(Double(bytes) / 1e6, places: 1) }
        return "reading \(path): \(percent)% (\(megabytes(progress.bytesRead)) of \(megabytes(progress.totalBytes)) MB), \(progress.records) calls"
    }
}
