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

    @Option(name: .long, help: ArgumentHelp("A traced program's thread whose calls to replay (default: the one that waits on the listening socket).", valueName: "TID"))
    var thread: Int32?

    @Option(name: .long, help: "Language of the labels (default: from the locale).")
    var lang: Language?

    @Option(name: .long, help: ArgumentHelp("Write the timeline (one row per fd, one column per call) as an SVG picture to this file instead of opening the dashboard.", valueName: "OUT.svg"))
    var svg: String?

    @Option(name: .long, help: ArgumentHelp("With --svg: the calls to draw, by seq: A..B, A.., ..B or one call (default: the first \(TimelineSVG.defaultCallCap)).", valueName: "A..B"))
    var calls: String?

    func validate() throws {
        if let calls {
            guard svg != nil else { throw ValidationError("--calls chooses the calls of --svg; give --svg OUT.svg too") }
            guard CallRange(parsing: calls) != nil else {
                throw ValidationError("--calls must be A..B, A.., ..B or one call number, with A <= B (got '\(calls)')")
            }
        }
    }

    func run() throws {
        var trace: TraceFile
        do {
            trace = try Self.load(file)
        } catch {
            stderrLine("selectscope: \(error)")
            throw ExitCode(1)
        }
        trace = try oneThread(of: trace)
        guard !trace.records.isEmpty else {
            stderrLine("selectscope: \(file) has no select() call to replay" + (trace.damage.map { " (\($0))" } ?? ""))
            throw ExitCode(1)
        }
        if let svg {
            try writeSVG(trace, to: svg)
            if let damage = trace.damage {
                stderrLine("selectscope: drew \(trace.records.count) calls; the trace stops at \(damage)")
            }
            return
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

    /// A traced program's threads each have their own loop: the one asked for (`--thread`),
    /// else the accept loop, saying so when there was a choice.
    private func oneThread(of trace: TraceFile) throws -> TraceFile {
        let threads = trace.loopThreads
        let list = threads.map(String.init).joined(separator: ", ")
        if let thread {
            guard threads.contains(thread) else {
                stderrLine("selectscope: \(file) has no call of thread \(thread)" + (threads.isEmpty ? " (its records name no thread)" : "; its threads: \(list)"))
                throw ExitCode(1)
            }
            return trace.calls(of: thread)
        }
        guard threads.count > 1, let chosen = trace.acceptLoopThread else { return trace }
        stderrLine("selectscope: \(file) holds the calls of \(threads.count) threads (\(list)); replaying thread \(chosen)'s loop, --thread TID picks another")
        return trace.calls(of: chosen)
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

    /// `--svg OUT.svg`: the timeline of the chosen calls as a picture; a line on stdout says
    /// what was drawn (and what was left out).
    private func writeSVG(_ trace: TraceFile, to path: String) throws {
        let records = trace.records
        let range = calls.flatMap(CallRange.init(parsing:))
        let (picked, note) = TimelineSVG.select(records, range: range)
        guard let first = picked.first, let last = picked.last else {
            stderrLine("selectscope: no call of \(file) is in --calls \(calls ?? "") (the trace has calls \(records.first!.seq)-\(records.last!.seq))")
            throw ExitCode(1)
        }
        let title = "select() timeline: \(file.split(separator: "/").last.map(String.init) ?? file), calls \(first.seq)-\(last.seq)"
        let text = TimelineSVG.render(picked, title: title, note: note)
        do {
            try SVGFile.write(text, to: path)
        } catch {
            stderrLine("selectscope: \(error)")
            throw ExitCode(1)
        }
        print("wrote \(path): calls \(first.seq)-\(last.seq), \(picked.count) columns" + (note.map { "; \($0)" } ?? ""))
    }
}

/// Writes a whole file, or throws naming the call and errno (a missing directory, a full disk).
enum SVGFile {
    static func write(_ text: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemError("open \(path)", errno: errno) }
        defer { close(fd) }
        var text = text
        try text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw SystemError("write \(path)", errno: errno)
                }
                offset += written
            }
        }
    }
}
