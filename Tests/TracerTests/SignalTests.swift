import Foundation
import Testing
@testable import ProcessTesting
#if canImport(Glibc)
import Glibc
#endif

/// Signals reach the traced program as they would untraced, and a readiness call a handled
/// signal cuts short is recorded as interrupted (EINTR), not as an empty result.
@Suite("tracer: signals")
struct SignalTests {
    @Test("handled signals arrive and their EINTR is recorded; stop and continue work", .enabled(if: Rig.hasCompiler, "needs cc"))
    func signalsPassThrough() throws {
        try check(reading: .stops)
    }

    @Test("read in the kernel: the same EINTR records, the same stop and continue", .enabled(if: Rig.hasCompiler, "needs cc"),
          .enabled(if: TraceReading.kernelWorks, "needs BPF (root)"))
    func signalsPassThroughReadInKernel() throws {
        try check(reading: .kernel)
    }

    private func check(reading: TraceReading) throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let program = try Rig.compile("signal_server", in: folder)
        let run = try TraceRun(reading.arguments, command: [program.path], folder: folder)
        defer { run.end() }
        #expect(run.process.waitForStdout(containing: "ready"), "\(run.process.transcript)")
        let pid = try #require(run.process.stderr.split(separator: "\n").first { $0.contains("started pid") }
            .flatMap { line in line.split(separator: " ").drop { $0 != "pid" }.dropFirst().first.flatMap { Int32($0.dropLast()) } })
        // Signal only while it waits in select (a signal during its printf interrupts no call).
        // /proc/PID/syscall starts with the number of the call it blocks in: select (23) or
        // pselect6 (270) on x86_64, pselect6 (72) on aarch64.
        let inSelect = {
            Rig.waitUntil(timeout: 10) {
                let line = (try? String(contentsOfFile: "/proc/\(pid)/syscall", encoding: .utf8)) ?? ""
                return ["23", "270", "72"].contains(line.split(separator: " ").first.map(String.init) ?? "")
                    && Rig.procStatus(pid, "State")?.hasPrefix("S") == true
            }
        }
        for count in 1...3 {
            #expect(inSelect())
            kill(pid, SIGUSR1)
            #expect(run.process.waitForStdout(containing: "select EINTR caught=\(count)"), "\(run.process.transcript)")
        }
        kill(pid, SIGSTOP)
        #expect(Rig.waitUntil(timeout: 5) { Rig.procStatus(pid, "State")?.lowercased().hasPrefix("t") == true }, "stopped (t: held in a tracing stop, as PTRACE_LISTEN does)")
        kill(pid, SIGCONT)
        #expect(inSelect())
        kill(pid, SIGUSR1)
        #expect(run.process.waitForStdout(containing: "select EINTR caught=4"), "\(run.process.transcript)")
        let interrupted = { run.records.filter { ($0["traced"] as? [String: Any])?["errno"] as? String == "EINTR" } }
        #expect(Rig.waitUntil(timeout: 5) { interrupted().count == 4 }, "\(run.records)")
        #expect(interrupted().allSatisfy { Rig.ints($0["readable"]).isEmpty })
    }
}
