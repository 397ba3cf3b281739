import ArgumentParser
import Clients
import Foundation
import Grader
import SelectCore
#if canImport(Glibc)
import Glibc
#endif

/// `selectscope check`: grade a select server against one exercise (SPEC §8).
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Grade a select() server: run it under the tracer, drive it with scripted clients, judge its calls.",
        discussion: """
            selectscope check --exercise N [--port P] [--json FILE] [--junit FILE] -- CMD ARGS...
            selectscope check --exercise N [--jobs J] FILE...   (.py runs with python3)

            Behaviour checks (what exercise N asks): listens, accepts, multi-client, echo or \
            never-sends, writefds (2, 4) or direct-send (3, 5), timeout, close, no-spin.
            Robustness checks (reported, not counted): send-then-close, reset, slow-reader, \
            short-send, restart, many-clients.
            Each submission runs in its own process group, scratch directory and (where the \
            machine allows) network namespace with only loopback, with limits on CPU time, \
            memory and processes; everything it started is killed at the end.
            Exit status: 0 every behaviour check passed, 1 one failed, 2 it could not be run.
            """
    )

    @Option(name: .long, help: "The exercise to grade against, 1–5 (練習1–5).")
    var exercise: Int

    @Option(name: .long, help: "The port the program's bind() is moved to (default: a free one).")
    var port: Int?

    @Option(name: .long, help: "Write the report as JSON to FILE ('-' for stdout).")
    var json: String?

    @Option(name: .long, help: "Write the report as JUnit XML to FILE.")
    var junit: String?

    @Option(name: .long, help: "Submissions checked at once (with FILE...).")
    var jobs: Int = 1

    @Option(name: .long, help: "Only these checks, comma-separated ids.")
    var only: String?

    @Option(name: .long, help: "Memory per process (RLIMIT_AS) and for all its processes (a cgroup), in MiB.")
    var memory: Int = 1024

    @Option(name: .customLong("cpu"), help: "CPU seconds per process (RLIMIT_CPU).")
    var cpuSeconds: Int = 20

    @Option(name: .long, help: "Processes and threads at once, tracer included (a pids cgroup).")
    var processes: Int = 64

    @Flag(name: .customLong("in-namespace"), help: .hidden)
    var inNamespace = false

    @Flag(name: .customLong("no-namespace"), help: "Do not isolate the network (run on the host's loopback).")
    var noNamespace = false

    // Files and options mix in any order (`check --exercise 2 a.py b.py --jobs 2`); what
    // follows `--` is the command, its own options included, and comes last.
    @Argument(help: "Submission files (.py or executables), or -- and the command to check.")
    var arguments: [String] = []

    /// The command after `--` (one submission), or nothing.
    var command: [String] {
        guard let terminator = CommandLine.arguments.firstIndex(of: "--") else { return [] }
        return Array(arguments.suffix(CommandLine.arguments.count - terminator - 1))
    }

    /// The files (everything before any `--`).
    var files: [String] {
        Array(arguments.dropLast(command.count))
    }

    /// Whether this build has the ptrace tracer (`selectscope trace`). Without it, Python
    /// programs are traced in-process and the built-in server traces itself.
    static let tracerAvailable = true

    func validate() throws {
        guard Exercise(number: exercise) != nil else {
            throw ValidationError("--exercise must be 1, 2, 3, 4 or 5 (got \(exercise))")
        }
        if files.isEmpty == command.isEmpty {
            throw ValidationError("give either a command after -- or submission files (not both)")
        }
        if let port, !(1...65535).contains(port) {
            throw ValidationError("--port must be between 1 and 65535 (got \(port))")
        }
        guard (64...65536).contains(memory) else { throw ValidationError("--memory must be between 64 and 65536 MiB (got \(memory))") }
        guard (1...3600).contains(cpuSeconds) else { throw ValidationError("--cpu must be between 1 and 3600 s (got \(cpuSeconds))") }
        guard (8...4096).contains(processes) else { throw ValidationError("--processes must be between 8 and 4096 (got \(processes))") }
        guard (1...16).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 16 (got \(jobs))") }
        if !files.isEmpty && port != nil { throw ValidationError("--port is for one command; files each get a free port") }
        if let only {
            for id in only.split(separator: ",") where CheckID(rawValue: String(id)) == nil {
                throw ValidationError("--only: no check named '\(id)' (checks: \(CheckID.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
        }
        for file in files where !FileManager.default.fileExists(atPath: file) {
            throw ValidationError("no such file: \(file)")
        }
        // `python3 hw9_2.py` with a typo would run python only to have it fail: say so now.
        if command.count >= 2, (command[0] as NSString).lastPathComponent.hasPrefix("python"), command[1].hasSuffix(".py"),
           !FileManager.default.fileExists(atPath: command[1]) {
            throw ValidationError("no such file: \(command[1])")
        }
        // A report that cannot be written is found out before the checks run, not after.
        for (option, path) in [("--json", json), ("--junit", junit)] {
            guard let path, path != "-" else { continue }
            let folder = (path as NSString).deletingLastPathComponent
            let directory = folder.isEmpty ? "." : folder
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("\(option) \(path): no such folder \(directory)")
            }
            guard access(directory, W_OK) == 0 else { throw ValidationError("\(option) \(path): folder \(directory) is not writable") }
        }
    }

    func run() throws {
        FileLimits.raiseToHardLimit()
        Posix.ignoreSIGPIPE()
        let exercise = Exercise(number: self.exercise)!
        let selectscope = ClientSupervisor.currentExecutable()
        if !files.isEmpty {
            try runFiles(exercise: exercise, selectscope: selectscope)
            return
        }
        // One command: the whole check moves into a fresh network namespace first.
        if !inNamespace && !noNamespace && Isolation.available,
           let argv = Isolation.inNetworkNamespace([selectscope] + Array(CommandLine.arguments.dropFirst().prefix { $0 != "--" }) + ["--in-namespace", "--"] + command) {
            throw ExitCode(runForwarding(argv))
        }
        guard let method = TraceMethod.choose(for: resolved(command), selectscope: selectscope, tracerAvailable: Self.tracerAvailable) else {
            stderrLine("selectscope: cannot trace \(command.joined(separator: " ")): this build has no tracer; only Python programs (python3 FILE.py) and `selectscope server` can be checked")
            throw ExitCode(2)
        }
        guard let port = port ?? CheckRunner.freePort() else {
            stderrLine("selectscope: no free port")
            throw ExitCode(2)
        }
        var limits = Limits()
        limits.memoryBytes = memory << 20
        limits.cpuSeconds = cpuSeconds
        limits.processes = processes
        let runner = CheckRunner(exercise: exercise, command: resolved(command), port: port, method: method, limits: limits)
        if let only { runner.only = Set(only.split(separator: ",").compactMap { CheckID(rawValue: String($0)) }).union([.listens]) }
        var report = runner.run()
        report.command = command
        if inNamespace { report.notes.append("network: its own namespace, loopback only") }
        print(ReportFormat.text(report), terminator: "")
        try write(ReportFormat.json(report) + "\n", to: json)
        try write(ReportFormat.junit([report]), to: junit)
        throw ExitCode(report.exitCode)
    }

    private func runFiles(exercise: Exercise, selectscope: String) throws {
        var extra = ["--memory", String(memory), "--cpu", String(cpuSeconds), "--processes", String(processes)]
        if let only { extra += ["--only", only] }
        if noNamespace { extra.append("--no-namespace") }
        let rows = Batch.run(files: files, exercise: exercise, jobs: jobs, selectscope: selectscope, extra: extra)
        print(ReportFormat.table(rows, exercise: exercise), terminator: "")
        try write(ReportFormat.json(rows.map(\.report), exercise: exercise.number), to: json)
        try write(ReportFormat.junit(rows.map(\.report)), to: junit)
        let codes = rows.map(\.report.exitCode)
        throw ExitCode(codes.contains(2) ? 2 : codes.contains(1) ? 1 : 0)
    }

    /// The command as the sandbox must see it: `python3` and other bare names found on PATH
    /// (its exec has no PATH), and every argument that names a file here made absolute (the
    /// program runs in a scratch directory, where `python3 hw9_2.py` would find no hw9_2.py).
    private func resolved(_ command: [String]) -> [String] {
        guard let first = command.first else { return command }
        let here = FileManager.default.currentDirectoryPath
        func absolute(_ argument: String) -> String {
            guard !argument.hasPrefix("/"), !argument.hasPrefix("-"), !argument.isEmpty,
                  FileManager.default.fileExists(atPath: argument) else { return argument }
            return URL(fileURLWithPath: argument, relativeTo: URL(fileURLWithPath: here, isDirectory: true)).standardizedFileURL.path
        }
        let arguments = command.dropFirst().map(absolute)
        if first.contains("/") { return [absolute(first)] + arguments }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/\(first)"
            if access(path, X_OK) == 0 { return [path] + arguments }
        }
        return [first] + arguments
    }

    private func write(_ text: String, to path: String?) throws {
        guard let path else { return }
        if path == "-" {
            print(text, terminator: "")
            return
        }
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            stderrLine("selectscope: cannot write \(path): \((error as NSError).localizedFailureReason ?? error.localizedDescription)")
            throw ExitCode(2)
        }
    }

    /// Runs the namespaced copy of this command with our stdout and stderr; its exit status.
    private func runForwarding(_ argv: [String]) -> Int32 {
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, argv[0], nil, nil, &cArguments, environ) == 0 else { return 2 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 2
    }
}
