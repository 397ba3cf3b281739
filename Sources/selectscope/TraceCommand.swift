import ArgumentParser
import CTracerShim
import Dashboard
import Foundation
import SelectCore
import Tracer
#if canImport(Glibc)
import Glibc
#endif

/// `selectscope trace`: any program's readiness loop as the same records the built-in server
/// makes, headless (SPEC §7).
struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Trace a program's select/poll/epoll loop (started here, or attached with --pid), headless.",
        discussion: """
            Each readiness call (select, pselect6, poll, ppoll, epoll_wait, epoll_pwait, \
            epoll_pwait2) becomes one record as in `selectscope server --trace`; socket calls \
            (accept, recv, send, close…) become its events. The program's own output passes \
            through unchanged. Its listening address goes to stderr (`listening on HOST:PORT`).

              selectscope trace --port 0 --trace calls.jsonl --log none -- python3 server.py
              selectscope trace --pid 4242

            With --events readiness, the program's readiness calls are read in the kernel \
            where it allows (root: BPF on the syscall tracepoints), so the program does not \
            stop for them; elsewhere at ptrace stops (--reader).

            Ctrl-C kills a started program and everything it started; an attached one is \
            detached and keeps running.
            """
    )

    @OptionGroup var program: TracedProgramOptions

    @Option(name: .long, help: "Log format on stdout: text (what the program did, call by call) or none.")
    var log: LogFormat = .text

    @Option(name: .long, help: "Write one JSON object per readiness call to FILE ('-' for stdout).")
    var trace: String?

    @Option(name: .long, help: ArgumentHelp(
        "How --events readiness reads the program's calls: bpf (in the kernel: the program never stops for them; root only), ptrace (a stop at each call's entry and exit), or auto (bpf where the kernel allows it).",
        valueName: "reader"))
    var reader: TracerOptions.Reader = .auto

    func validate() throws {
        if reader == .bpf && program.events != .readiness {
            throw ValidationError("--reader bpf reads the readiness calls only: add --events readiness")
        }
        if trace == "-" && log == .text {
            throw ValidationError("--trace - and --log text both write to stdout; add --log none")
        }
    }

    func run() throws {
        Posix.ignoreSIGPIPE()
        var options = program.tracerOptions
        options.payloadPreview = 64
        options.reader = reader
        let target = program.target

        // Ctrl-C, kill and a closed terminal reach one waiting thread, never the tracer's.
        var stopSignals = [SIGINT, SIGTERM, SIGHUP]
        ts_mask_signals(1, &stopSignals, Int32(stopSignals.count))

        let output = try TraceOutput(trace: trace, textLog: log == .text)
        let tracer = Tracer(target: target, options: options)
        let started: Int32
        do {
            started = try tracer.start(onRecord: { output.write($0) }, onNotice: { output.notice($0) })
        } catch {
            stderrLine("selectscope: \(error)")
            throw ExitCode(1)
        }
        let watcher = Thread {
            var signals = [SIGINT, SIGTERM, SIGHUP]
            if ts_wait_signal(&signals, Int32(signals.count)) > 0 { tracer.requestStop() }
        }
        watcher.start()

        let end = tracer.waitForEnd()
        let outputFailed = !output.finish()
        switch end {
        case .programEnded(let end):
            // After a daemon's fork the end is the child's, followed since.
            stderrLine("selectscope: pid \(output.followedChild ?? started) \(end)")
            throw ExitCode(end.shellCode == 0 && outputFailed ? 1 : end.shellCode)
        case .killed:
            stderrLine("selectscope: stopped; pid \(started) and everything it started were killed")
        case .detached:
            stderrLine("selectscope: detached from pid \(started); it keeps running")
        case .attachedEnded(let end):
            stderrLine("selectscope: pid \(started) \(end) while traced")
        }
        if outputFailed { throw ExitCode(1) }
    }
}

/// Where a trace's records and notices go: the JSON trace, the text log, stderr. Both
/// outputs are written by threads of their own (as `server`'s are), so a full disk or a
/// reader that stalls is reported at once and never holds the traced program.
final class TraceOutput: @unchecked Sendable {
    private let recorder: TraceRecorder?
    private let logWriter: QueuedLineWriter?
    private let textLog: TracedTextLog?
    /// The text log says each bug of the loop once, when the calls first show it: found by the
    /// same `LoopDiagnostics` the dashboard's explain pane reads (through its reducer).
    private var diagnostics = LoopDiagnostics()
    private let traceName: String
    /// The child followed after the started process forked away; read once tracing ended.
    private(set) var followedChild: Int32?

    init(trace: String?, textLog: Bool) throws {
        traceName = trace == "-" ? "stdout" : (trace ?? "")
        let name = traceName
        do {
            recorder = try trace.map { path in
                try TraceRecorder(path: path, listenAddress: nil) { failure in
                    stderrLine("selectscope: the trace stopped: \(failure); \(name) keeps the calls before it, each record whole")
                }
            }
            logWriter = textLog ? try QueuedLineWriter(LineWriter(fd: STDOUT_FILENO), policy: .dropLines, bound: ServerCommand.logBound) { failure in
                stderrLine("selectscope: the log stopped: \(failure)")
            } : nil
        } catch {
            stderrLine("selectscope: cannot write the trace: \(error)")
            throw ExitCode(1)
        }
        self.textLog = logWriter.map { TracedTextLog(writer: $0) }
    }

    /// Called on the tracer's thread only.
    func write(_ record: StepRecord) {
        recorder?.write(record)
        guard let textLog, let logWriter else { return }
        textLog.write(record)
        let found = diagnostics.apply(record)
        guard !found.isEmpty else { return }
        for diagnosis in found { logWriter.appendLine("trace: bug: " + DiagnosisSentences.sentence(diagnosis).en) }
        logWriter.flush()
    }

    /// Called on the tracer's thread only.
    func notice(_ notice: TracerNotice) {
        switch notice {
        case .listening(_, _, let address):
            if let recorder, recorder.listenAddress == nil { recorder.listenAddress = address }
            if let line = TracedTextLog.line(notice) { stderrLine("selectscope: " + line) }
        case .damage, .listenerWithoutReuseAddress, .portRewritten, .attached, .started, .untraceable, .notListening, .forkedAway,
             .readingInKernel, .readingAtStops:
            if case .forkedAway(_, let child, _) = notice { followedChild = child }
            if let line = TracedTextLog.line(notice) { stderrLine("selectscope: " + line) }
        case .execed, .held, .breakpointHit:
            textLog?.write(notice)
        case .callInFlight, .callReturned:
            break
        }
    }

    /// At exit: a bounded wait for what is still queued. False when an output failed or
    /// lost records.
    func finish() -> Bool {
        var complete = true
        if let recorder, !recorder.finish(within: 2) {
            if recorder.failure == nil {
                stderrLine("selectscope: the trace lost its last records: \(traceName) took nothing for 2 s")
            }
            complete = false
        }
        if let logWriter {
            let dropped = logWriter.finish(within: 0.5)
            if dropped > 0 { stderrLine("selectscope: \(dropped) log lines dropped: stdout was full") }
            if logWriter.failure != nil { complete = false }
        }
        return complete
    }
}
