import ArgumentParser
import CTracerShim
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
            Each readiness call (select, pselect6, poll, ppoll, epoll_wait, epoll_pwait,
            epoll_pwait2) becomes one record as in `selectscope server --trace`; socket calls
            (accept, recv, send, close…) become its events. The program's own output passes
            through unchanged. Its listening address goes to stderr (`listening on HOST:PORT`).
              selectscope trace --port 0 --trace calls.jsonl --log none -- python3 server.py
              selectscope trace --pid 4242
            Ctrl-C kills a started program and everything it started; an attached one is
            detached and keeps running.
            """
    )

    @Option(name: .long, help: "Rewrite the program's bind() to this port (0 picks a free one and prints it).")
    var port: Int?

    @Option(name: .long, help: "Log format on stdout: text (what the program did, call by call) or none.")
    var log: String = "text"

    @Option(name: .long, help: "Write one JSON object per readiness call to FILE ('-' for stdout).")
    var trace: String?

    @Option(name: .long, help: "What to trace: readiness (only the readiness calls: fastest) or sockets (also accept, recv, send, close…).")
    var events: String = "sockets"

    @Option(name: .long, help: "Attach to this running process instead of starting one.")
    var pid: Int32?

    @Argument(parsing: .postTerminator, help: "The program to start, after `--`.")
    var command: [String] = []

    func validate() throws {
        guard ["text", "none"].contains(log) else {
            throw ValidationError("--log must be text or none (got '\(log)')")
        }
        if trace == "-" && log == "text" {
            throw ValidationError("--trace - and --log text both write to stdout; add --log none")
        }
        guard TracerOptions.Events(rawValue: events) != nil else {
            throw ValidationError("--events must be readiness or sockets (got '\(events)')")
        }
        if let port, !(0...65535).contains(port) {
            throw ValidationError("--port must be between 0 and 65535 (got \(port))")
        }
        if pid != nil && !command.isEmpty {
            throw ValidationError("give either --pid PID or -- CMD ARGS, not both")
        }
        if pid == nil && command.isEmpty {
            throw ValidationError("nothing to trace: give -- CMD ARGS, or --pid PID")
        }
        if pid != nil && port != nil {
            throw ValidationError("--port rewrites bind() of a program started here; an attached program has bound already")
        }
    }

    func run() throws {
        Posix.ignoreSIGPIPE()
        var options = TracerOptions(events: TracerOptions.Events(rawValue: events)!, port: port)
        options.payloadPreview = 64
        let target: TraceTarget = pid.map { .attach(pid: $0) } ?? .launch(command: command[0], arguments: Array(command.dropFirst()))

        // Ctrl-C, kill and a closed terminal reach one waiting thread, never the tracer's.
        var stopSignals = [SIGINT, SIGTERM, SIGHUP]
        ts_mask_signals(1, &stopSignals, Int32(stopSignals.count))

        let output = try TraceOutput(trace: trace, textLog: log == "text")
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

        switch tracer.waitForEnd() {
        case .programEnded(let end):
            stderrLine("selectscope: pid \(started) \(end)")
            throw ExitCode(end.shellCode)
        case .killed:
            stderrLine("selectscope: stopped; pid \(started) and everything it started were killed")
        case .detached:
            stderrLine("selectscope: detached from pid \(started); it keeps running")
        case .attachedEnded(let end):
            stderrLine("selectscope: pid \(started) \(end) while traced")
        }
    }
}

/// Where a trace's records and notices go: the JSON trace, the text log, stderr.
final class TraceOutput: @unchecked Sendable {
    private let traceWriter: LineWriter?
    private let textLog: TracedTextLog?
    private var listenAddress: PeerAddress?
    private var wroteFirst = false

    init(trace: String?, textLog: Bool) throws {
        do {
            traceWriter = try trace.map { try LineWriter.open(path: $0) }
        } catch {
            stderrLine("selectscope: cannot write the trace: \(error)")
            throw ExitCode(1)
        }
        self.textLog = textLog ? TracedTextLog(writer: LineWriter(fd: STDOUT_FILENO)) : nil
    }

    /// Called on the tracer's thread only.
    func write(_ record: StepRecord) {
        if let traceWriter {
            traceWriter.appendLine(TraceEncoder.line(for: record, listen: wroteFirst ? nil : listenAddress))
            wroteFirst = wroteFirst || listenAddress != nil
            traceWriter.flush()
        }
        textLog?.write(record)
    }

    func notice(_ notice: TracerNotice) {
        switch notice {
        case .listening(_, _, let address):
            if listenAddress == nil { listenAddress = address }
            if let line = TracedTextLog.line(notice) { stderrLine("selectscope: " + line) }
        case .damage, .listenerWithoutReuseAddress, .portRewritten, .attached, .started:
            if let line = TracedTextLog.line(notice) { stderrLine("selectscope: " + line) }
        case .execed, .held:
            textLog?.write(notice)
        }
    }
}
