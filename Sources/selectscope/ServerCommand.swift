import ArgumentParser
import SelectCore
#if canImport(Glibc)
import Glibc
#endif

/// `selectscope server`: the same server without a terminal.
struct ServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run the select() server headless, printing the seed's log or a JSON trace.",
        discussion: """
            Modes:
              1  一送一收，觀察檢查表的運作  queue what arrives, never send (watch the queue grow)
              2  增加為兩個client，server會echo  queue, add to outputs, send when writable
              3  服務多個client的echo server  send straight back from the recv branch
              4  使用writefds來傳送  as 2; a reset on send closes the connection
              5  使用timeout  as 3, with a 2 s timeout; an empty result prints `timeout`
            The startup line (`listening on HOST:PORT`) goes to stderr.
            """
    )

    @OptionGroup var server: ServerOptions

    @Option(name: .long, help: "Log format on stdout: text (the seed's lines) or none.")
    var log: LogFormat = .text

    @Option(name: .long, help: "Write one JSON object per select() call to FILE ('-' for stdout).")
    var trace: String?

    func validate() throws {
        if trace == "-" && log == .text {
            throw ValidationError("--trace - and --log text both write to stdout; add --log none")
        }
    }

    func run() throws {
        FileLimits.raiseToHardLimit()
        var config = server.config
        if log == .text { config.payloadCapture = 1024 }
        if trace != nil { config.payloadCapture = max(config.payloadCapture, 64) }
        config.keepsRecords = log == .text || trace != nil
        let selectServer: SelectServer
        do {
            selectServer = try SelectServer(config: config)
        } catch {
            stderrLine("selectscope: \(error)")
            throw ExitCode(1)
        }
        let host = try ServerHost(server: selectServer)
        host.handleSignals()

        // Both outputs are written by threads of their own: a reader that stalls (a full pipe,
        // a full disk) never stalls the loop. A failed write is reported the moment it happens.
        var logWriter: QueuedLineWriter?
        var recorder: TraceRecorder?
        do {
            if log == .text {
                let writer = try QueuedLineWriter(LineWriter(fd: STDOUT_FILENO), policy: .dropLines, bound: Self.logBound) { failure in
                    stderrLine("selectscope: the log stopped: \(failure)")
                }
                let textLog = TextLog(writer: writer, listenAddress: selectServer.listenAddress)
                host.observe { textLog.write($0) }
                logWriter = writer
            }
            if let trace {
                let name = trace == "-" ? "stdout" : trace
                let traceRecorder = try TraceRecorder(path: trace, listenAddress: selectServer.listenAddress) { failure in
                    stderrLine("selectscope: the trace stopped: \(failure); \(name) keeps the calls before it, each record whole")
                }
                host.observe { traceRecorder.write($0) }
                recorder = traceRecorder
            }
        } catch {
            stderrLine("selectscope: cannot write the trace: \(error)")
            throw ExitCode(1)
        }
        stderrLine("selectscope: mode \(config.mode.rawValue) (\(config.mode.seedTitle)) listening on \(selectServer.listenAddress), backend \(config.backend.rawValue)")
        var failed = false
        do {
            try host.run()
        } catch {
            stderrLine("selectscope: \(error)")
            failed = true
        }
        // A reader that stopped reading gets a bounded wait, not forever: a signal must end us.
        if let recorder, !recorder.finish(within: 2) {
            if recorder.failure == nil {
                stderrLine("selectscope: the trace lost its last records: \(trace == "-" ? "stdout" : trace ?? "") took nothing for 2 s")
            }
            failed = true
        }
        if let logWriter {
            let dropped = logWriter.finish(within: 0.5)
            if dropped > 0 { stderrLine("selectscope: \(dropped) log lines dropped: stdout was full") }
            if logWriter.failure != nil { failed = true }
        }
        if failed { throw ExitCode(1) }
    }

    /// What the text log may hold for a slow reader before it drops lines: 256 KiB, about a
    /// thousand echoes' worth of the seed's lines.
    static let logBound = 256 << 10
}

func stderrLine(_ text: String) {
    let writer = LineWriter(fd: STDERR_FILENO)
    writer.appendLine(text)
    writer.flush()
}
