import Foundation
import Grader
import Testing

/// `selectscope check` for real: the tracer, the sandbox, the scripted clients, the report.
/// Serialized: the checks measure CPU and time, and the machine has two cores.
@Suite(.serialized) struct CheckEndToEndTests {
    /// Where the homework's own code is known to fall over (docs/grading.md says why).
    static let homeworkFailures: [Int: Set<CheckID>] = [
        1: [.reset, .slowReader, .manyClients],
        2: [.sendThenClose, .reset, .slowReader, .manyClients],
        3: [.slowReader, .restart, .manyClients],
        4: [.sendThenClose, .slowReader, .manyClients],
        5: [.slowReader, .restart, .manyClients],
    ]

    @Test(arguments: 1...5)
    func homeworkServerPassesItsOwnExerciseAndFailsWhereItIsKnownTo(exercise: Int) throws {
        let program = try CheckRun.homeworkServer(exercise)
        let run = try CheckRun.check(exercise: exercise, ["python3", program])
        let report = try #require(run.report, "no report: \(run.output)")
        #expect(CheckRun.failed(report, kind: .behaviour).isEmpty, "\(run.output)")
        #expect(CheckRun.failed(report, kind: .robustness) == Self.homeworkFailures[exercise], "\(run.output)")
        #expect(run.status == 0)
    }

    @Test(arguments: 1...5)
    func builtInServerPassesEveryCheckOfItsExercise(mode: Int) throws {
        let binary = try CheckRun.requireBinary()
        let run = try CheckRun.check(exercise: mode, [binary, "server", "--mode", String(mode)])
        let report = try #require(run.report, "no report: \(run.output)")
        let allPassed = report.results.allSatisfy { $0.passed }
        #expect(allPassed, "\(run.output)")
        #expect(report.results.count == CheckID.checks(for: Exercise(number: mode)!).count)
        // Graded as any submission is: on the calls the ptrace tracer saw, not its own trace.
        #expect(report.notes.contains("traced by: ptrace tracer"), "\(report.notes)")
        #expect(run.status == 0)
    }

    struct Mismatch: Sendable, CustomStringConvertible {
        var server: Int, exercise: Int, check: CheckID
        var description: String { "server \(server) as exercise \(exercise): \(check.rawValue)" }
    }

    /// Checked against another exercise, a homework server fails what tells the two apart.
    @Test(arguments: [
        Mismatch(server: 3, exercise: 2, check: .writefds), Mismatch(server: 3, exercise: 5, check: .timeout),
        Mismatch(server: 2, exercise: 3, check: .directSend), Mismatch(server: 2, exercise: 1, check: .neverSends),
        Mismatch(server: 1, exercise: 2, check: .echo), Mismatch(server: 5, exercise: 3, check: .timeout),
    ])
    func homeworkServerFailsWhatTellsExercisesApart(_ case: Mismatch) throws {
        let program = try CheckRun.homeworkServer(`case`.server)
        let run = try CheckRun.check(exercise: `case`.exercise, only: CheckID.behaviourChecks, ["python3", program])
        let report = try #require(run.report, "no report: \(run.output)")
        #expect(CheckRun.failed(report).contains(`case`.check), "\(run.output)")
        #expect(run.status == 1)
    }

    struct Variant: Sendable, CustomStringConvertible {
        var file: String, exercise: Int, kind: CheckID.Kind, expected: Set<CheckID>
        var description: String { file }
    }

    /// Each broken variant fails the check it should, and only that one of its kind.
    @Test(arguments: [
        Variant(file: "spins.py", exercise: 2, kind: .behaviour, expected: [.writefds, .noSpin]),
        Variant(file: "no_timeout.py", exercise: 5, kind: .behaviour, expected: [.timeout]),
        Variant(file: "read_branch_reply.py", exercise: 4, kind: .behaviour, expected: [.writefds]),
        Variant(file: "wrong_bytes.py", exercise: 2, kind: .behaviour, expected: [.echo]),
        Variant(file: "never_listens.py", exercise: 2, kind: .behaviour, expected: [.listens]),
        Variant(file: "dies_on_reset.py", exercise: 3, kind: .robustness, expected: [.reset]),
        Variant(file: "no_reuseaddr.py", exercise: 3, kind: .robustness, expected: [.restart]),
    ])
    func brokenVariantFailsItsCheck(_ variant: Variant) throws {
        let (file, exercise, kind, expected) = (variant.file, variant.exercise, variant.kind, variant.expected)
        let only: [CheckID] = kind == .behaviour ? CheckID.behaviourChecks : [.listens, .sendThenClose, .reset, .restart]
        let run = try CheckRun.check(exercise: exercise, only: only, ["python3", CheckRun.submission(file)])
        let report = try #require(run.report, "no report: \(run.output)")
        #expect(CheckRun.failed(report, kind: kind) == expected, "\(run.output)")
        for id in expected {
            let result = try #require(report.result(id))
            #expect(!result.reason.isEmpty)
        }
        if file == "never_listens.py" {
            #expect(report.results.filter { $0.id != .listens }.allSatisfy { $0.status == .skipped })
        }
    }

    @Test(arguments: [2, 3, 5])
    func referenceSubmissionPassesEveryCheck(exercise: Int) throws {
        let run = try CheckRun.check(exercise: exercise, ["python3", CheckRun.submission("good\(exercise).py")])
        let report = try #require(run.report, "no report: \(run.output)")
        let allPassed = report.results.allSatisfy { $0.passed }
        #expect(allPassed, "\(run.output)")
    }

    @Test func forkBombIsStoppedReportedAndLeavesNothing() throws {
        let run = try CheckRun.check(exercise: 2, only: [.listens], ["python3", CheckRun.submission("fork_bomb.py")])
        let report = try #require(run.report, "no report: \(run.output)")
        #expect(report.result(.listens)?.status == .failed)
        #expect(run.output.contains("more processes than allowed"), "\(run.output)")
        #expect(CheckRun.processes(mentioning: "fork_bomb.py").isEmpty)
    }

    @Test func memoryHogIsStoppedAndReported() throws {
        let run = try CheckRun.check(exercise: 2, only: [.listens], extra: ["--memory", "256"], ["python3", CheckRun.submission("memory_hog.py")])
        let report = try #require(run.report, "no report: \(run.output)")
        let listens = try #require(report.result(.listens))
        #expect(listens.status == .failed)
        #expect(listens.evidence.contains { $0.contains("more memory than allowed") }, "\(run.output)")
        #expect(listens.evidence.contains { $0.contains("MemoryError") }, "\(run.output)")
        #expect(CheckRun.processes(mentioning: "memory_hog.py").isEmpty)
    }

    @Test func aProgramIgnoringSIGTERMIsKilledAndLeavesNothing() throws {
        let run = try CheckRun.check(exercise: 3, only: [.listens, .accepts, .echo], ["python3", CheckRun.submission("ignores_sigterm.py")])
        let report = try #require(run.report, "no report: \(run.output)")
        let allPassed = report.results.allSatisfy { $0.passed }
        #expect(allPassed, "\(run.output)")
        #expect(CheckRun.processes(mentioning: "ignores_sigterm.py").isEmpty)
    }

    @Test func filesGiveOneTableWithARowEach() throws {
        let binary = try CheckRun.requireBinary()
        // Options may follow the files, as a teacher types them.
        let (status, output) = try CheckRun.run(binary, ["check", "--exercise", "5", "--only", "listens,timeout",
                                                         CheckRun.submission("good5.py"), CheckRun.submission("no_timeout.py"), "--jobs", "2"],
                                                in: CheckRun.submissions)
        let lines = output.split(separator: "\n")
        #expect(lines.first?.hasPrefix("submission") == true, "\(output)")
        #expect(lines.contains { $0.hasPrefix("good5.py") })
        #expect(lines.contains { $0.hasPrefix("no_timeout.py") && $0.contains("✗") })
        #expect(status == 1)
    }

    @Test func badArgumentsGetOneLineAndNoRun() throws {
        let binary = try CheckRun.requireBinary()
        let (status, output) = try CheckRun.run(binary, ["check", "--exercise", "7", "--", "python3", "x.py"], in: CheckRun.submissions)
        #expect(status != 0)
        #expect(output.contains("--exercise must be 1, 2, 3, 4 or 5"))
        let (missing, said) = try CheckRun.run(binary, ["check", "--exercise", "2", "--", "python3", "no_such_submission.py"], in: CheckRun.submissions)
        #expect(missing != 0 && missing != 1)
        #expect(said.contains("no such file: no_such_submission.py"), "\(said)")
        let (unwritable, told) = try CheckRun.run(binary, ["check", "--exercise", "2", "--json", "/no/such/folder/r.json", "good2.py"], in: CheckRun.submissions)
        #expect(unwritable != 0 && unwritable != 1)
        #expect(told.contains("--json /no/such/folder/r.json: no such folder /no/such/folder"), "\(told)")
    }

    @Test func aCommandThatCannotStartIsExitTwo() throws {
        let run = try CheckRun.check(exercise: 2, ["/nonexistent/server"])
        #expect(run.status == 2, "\(run.output)")
        #expect(run.report?.couldNotRun?.contains("command not found") == true, "\(run.output)")
    }
}
