import Foundation
import Testing
@testable import ProcessTesting
#if canImport(Glibc)
import Glibc
#endif

/// `--events readiness` reads a started program's calls in the kernel where it may (root),
/// so the program never stops for them: the records are the ones the ptrace stops give, and
/// where the kernel says no the reader says so (`--reader bpf`) or falls back (`auto`).
@Suite("tracer: readiness calls read in the kernel")
struct KernelReaderTests {
    /// What a call's record says, less its timing.
    static func summary(_ record: [String: Any]) -> String {
        let traced = record["traced"] as? [String: Any] ?? [:]
        return [traced["call"] as? String ?? "?", "result \(traced["result"] ?? "?")", "\(traced["errno"] ?? "")",
                "in \(Rig.ints(record["inputs"]))", "out \(Rig.ints(record["outputs"]))", "r \(Rig.ints(record["readable"]))",
                "w \(Rig.ints(record["writable"]))", "x \(Rig.ints(record["exceptional"]))", "timeout \(record["timeout"] ?? "none")",
                "except_in \(Rig.ints(traced["except_in"]))", "damage \(traced["damage"] ?? "")"].joined(separator: " ")
    }

    static func trace(_ arguments: [String], program: URL, folder: URL) throws -> (status: Int32?, records: [String], stderr: String) {
        let run = try TraceRun(["--events", "readiness"] + arguments, command: [program.path], folder: folder)
        defer { run.end() }
        let status = run.process.waitForExit(timeout: 60)
        return (status, run.records.map(Self.summary), run.process.stderr)
    }

    @Test("select, poll and epoll read in the kernel give the records the ptrace stops give",
          .enabled(if: Rig.hasCompiler, "needs cc"), .enabled(if: TraceReading.kernelWorks, "needs BPF (root)"))
    func kernelRecordsEqualStopRecords() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let program = try Rig.compile("readiness_calls", in: folder)
        let stops = try Self.trace(["--reader", "ptrace"], program: program, folder: folder)
        let kernel = try Self.trace(["--reader", "bpf"], program: program, folder: folder)
        #expect(stops.status == 0 && kernel.status == 0, "\(stops.stderr)\n\(kernel.stderr)")
        #expect(kernel.stderr.contains("read in the kernel"), "\(kernel.stderr)")
        #expect(!stops.stderr.contains("read in the kernel"), "\(stops.stderr)")
        // 7 selects, 5 polls, 4 epoll waits (select is pselect6 on this libc).
        #expect(stops.records.count == 16, "\(stops.records.joined(separator: "\n"))")
        #expect(kernel.records == stops.records,
                "kernel:\n\(kernel.records.joined(separator: "\n"))\nstops:\n\(stops.records.joined(separator: "\n"))")
        // Ready and timed-out calls both: the sequence is not all one kind.
        #expect(stops.records.contains { $0.contains("result 0 ") } && stops.records.contains { $0.contains("result 1 ") })
    }

    @Test("as a user the kernel refuses: --reader bpf says why and exits 1; auto reads at stops and says so",
          .enabled(if: Rig.hasCompiler, "needs cc"),
          .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "needs root and setpriv"))
    func refusedKernelIsExplained() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let program = try Rig.compile("readiness_calls", in: folder)
        chmod(folder.path, 0o755)
        func asNobody(_ reader: String) throws -> SpawnedProcess {
            try SpawnedProcess(URL(fileURLWithPath: "/usr/bin/setpriv"),
                               ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
                                try Rig.requireBinary().path, "trace", "--events", "readiness", "--reader", reader, "--trace", "-",
                                "--log", "none", "--", program.path],
                               name: "selectscope as nobody")
        }
        let refused = try asNobody("bpf")
        defer { refused.stop(grace: 1) }
        #expect(refused.waitForExit(timeout: 30) == 1, "\(refused.transcript)")
        #expect(refused.stderr.contains("cannot read the calls in the kernel") && refused.stderr.contains("--reader ptrace"),
                "\(refused.stderr)")
        #expect(refused.stdout.isEmpty, "nothing traced: \(refused.stdout)")

        let fallback = try asNobody("auto")
        defer { fallback.stop(grace: 1) }
        #expect(fallback.waitForExit(timeout: 30) == 0, "\(fallback.transcript)")
        #expect(fallback.stderr.contains("read at ptrace stops (BPF unavailable"), "\(fallback.stderr)")
        let records = fallback.stdout.split(separator: "\n").compactMap { Rig.json(String($0)) }
        #expect(records.count == 16, "\(fallback.transcript)")
    }

    @Test("a program that outruns the reader is paced, not left to lose calls: every call is in the trace",
          .enabled(if: Rig.hasCompiler, "needs cc"), .enabled(if: TraceReading.kernelWorks, "needs BPF (root)"))
    func spinningProgramLosesNoCall() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let program = try Rig.compile("spinning_select", in: folder)
        let run = try TraceRun(["--events", "readiness", "--reader", "bpf"], command: [program.path], folder: folder)
        defer { run.end() }
        #expect(run.process.waitForExit(timeout: 120) == 0, "\(run.process.transcript)")
        #expect(run.process.stdout.contains("calls 100000"), "\(run.process.transcript)")
        #expect(!run.process.stderr.contains("lost"), "\(run.process.stderr)")
        let records = run.records
        #expect(records.count == 100000, "\(records.count) records for 100000 calls")
        #expect(records.enumerated().allSatisfy { $0.element["seq"] as? Int == $0.offset + 1 })
        #expect(records.allSatisfy { Rig.ints($0["writable"]) == [4] })
    }

    @Test("--reader bpf with what it cannot read is refused before anything starts")
    func unreadableCombinationsAreRefused() throws {
        for arguments in [["--reader", "bpf", "--", "/bin/true"], ["--reader", "bpf", "--pid", "1"]] {
            let run = try SpawnedProcess.selectscope(["trace"] + arguments)
            defer { run.stop(grace: 1) }
            #expect(run.waitForExit(timeout: 30) == 64, "\(arguments): \(run.transcript)")
            #expect(run.stderr.contains("--reader bpf"), "\(run.stderr)")
        }
    }
}
