import ArgumentParser
import Tracer

/// What `trace` and `watch` share: the program to trace (started here, or attached to),
/// its port, and what to trace.
struct TracedProgramOptions: ParsableArguments {
    @Option(name: .long, parsing: .unconditional, help: "Rewrite the program's bind() to this port (0 picks a free one and prints it).")
    var port: Int?

    @Option(name: .long, help: "What to trace: readiness (only the readiness calls: fastest) or sockets (also accept, recv, send, close…).")
    var events: TracerOptions.Events = .sockets

    @Option(name: .long, parsing: .unconditional, help: "Attach to this running process instead of starting one.")
    var pid: Int32?

    @Option(name: .customLong("listen-wait"), parsing: .unconditional, help: ArgumentHelp(
        "Say so when a started program has not called listen() after this many seconds (it keeps running); 0 never says.",
        valueName: "seconds"))
    var listenWait: Double = 10

    @Argument(parsing: .postTerminator, help: "The program to start, after `--`.")
    var command: [String] = []

    func validate() throws {
        if let port { try OptionCheck.integer(port, "--port", in: 0...65535) }
        if let pid { try OptionCheck.integer(Int(pid), "--pid", in: 1...Int(Int32.max)) }
        try OptionCheck.seconds(listenWait, "--listen-wait", in: 0...86400)
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

    var target: TraceTarget {
        pid.map { .attach(pid: $0) } ?? .launch(command: command[0], arguments: Array(command.dropFirst()))
    }

    var tracerOptions: TracerOptions {
        var options = TracerOptions(events: events, port: port)
        options.listenWarningAfter = listenWait > 0 ? listenWait : nil
        return options
    }
}
