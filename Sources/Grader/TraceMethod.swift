/// How a submission's readiness calls become trace records.
public enum TraceMethod: Sendable, Equatable {
    /// `selectscope trace --port P --trace FILE --log none -- CMD ARGS…`: the ptrace tracer,
    /// for any program. `executable` is the selectscope binary.
    case tracer(executable: String)
    /// A Python program run with `select.select` and the socket calls wrapped in-process
    /// (`PythonShim`): for Python submissions where the tracer is not available.
    case pythonShim
    /// SelectScope's own server, which writes the same trace itself (`server --trace`).
    case selfTracing

    /// The command line that runs `command` with its trace going to `trace` and its listening
    /// socket bound to `port`.
    /// `socketEvents` false traces only the readiness calls (no accept/recv/send events):
    /// the tracer stops the program far less often.
    func argv(command: [String], port: Int, trace: String, shimPath: String, socketEvents: Bool = true) -> [String] {
        switch self {
        case .tracer(let executable):
            // At ptrace stops: a submission that spins is paced by them, as the checks and
            // their CPU limit were set for, where read in the kernel it would run flat out.
            return [executable, "trace", "--port", String(port), "--trace", trace, "--log", "none",
                    "--events", socketEvents ? "sockets" : "readiness", "--reader", "ptrace", "--"] + command
        case .pythonShim:
            return [command[0], shimPath, String(port), trace] + command.dropFirst()
        case .selfTracing:
            return command + ["--port", String(port), "--trace", trace, "--log", "none"]
        }
    }

    /// The method for `command`: with a tracer, every program goes through it, the built-in
    /// server included (it is graded as any submission is, on the calls it makes). Without
    /// one, Python programs are traced in-process and the built-in server traces itself.
    public static func choose(for command: [String], selectscope: String, tracerAvailable: Bool) -> TraceMethod? {
        guard let first = command.first else { return nil }
        if tracerAvailable { return .tracer(executable: selectscope) }
        if command.count >= 2 && (first.hasSuffix("python3") || first.hasSuffix("python")) && command[1].hasSuffix(".py") {
            return .pythonShim
        }
        if command.count >= 2 && command[1] == "server" && (first == selectscope || first.hasSuffix("/selectscope") || first == "selectscope") {
            return .selfTracing
        }
        return nil
    }

    public var description: String {
        switch self {
        case .tracer: return "ptrace tracer"
        case .pythonShim: return "in-process Python select() wrapper"
        case .selfTracing: return "the built-in server's own trace"
        }
    }
}
