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
            return [executable, "trace", "--port", String(port), "--trace", trace, "--log", "none",
                    "--events", socketEvents ? "sockets" : "readiness", "--"] + command
        case .pythonShim:
            return [command[0], shimPath, String(port), trace] + command.dropFirst()
        case .selfTracing:
            return command + ["--port", String(port), "--trace", trace, "--log", "none"]
        }
    }

    /// The method for `command`: the built-in server traces itself; with a tracer everything
    /// else goes through it; without one only Python programs can be traced (in-process).
    public static func choose(for command: [String], selectscope: String, tracerAvailable: Bool) -> TraceMethod? {
        guard let first = command.first else { return nil }
        if command.count >= 2 && command[1] == "server" && (first == selectscope || first.hasSuffix("/selectscope") || first == "selectscope") {
            return .selfTracing
        }
        if tracerAvailable { return .tracer(executable: selectscope) }
        if command.count >= 2 && (first.hasSuffix("python3") || first.hasSuffix("python")) && command[1].hasSuffix(".py") {
            return .pythonShim
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
