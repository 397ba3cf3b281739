import Foundation
import Testing
@testable import ProcessTesting

/// Numbers read from another process are untrusted: calls no kernel would accept become
/// failed or damaged records, and the program runs on.
@Suite("tracer: damaged calls")
struct DamageTests {
    @Test("bad pointers and counts become errors and damage, never a trap", .enabled(if: Rig.hasCompiler, "needs cc"))
    func badArgumentsAreReported() throws {
        try check(reading: .stops)
    }

    @Test("read in the kernel, the same bad calls give the same errors and damage", .enabled(if: Rig.hasCompiler, "needs cc"),
          .enabled(if: TraceReading.kernelWorks, "needs BPF (root)"))
    func badArgumentsReadInKernelAreReported() throws {
        try check(reading: .kernel)
    }

    private func check(reading: TraceReading) throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let program = try Rig.compile("bad_calls", in: folder)
        let run = try TraceRun(reading.arguments, command: [program.path], folder: folder)
        defer { run.end() }
        #expect(run.process.waitForExit(timeout: 20) == 0, "\(run.process.transcript)")
        #expect(run.process.stdout.contains("results -1 0 -1 -1 -1 1"), "\(run.process.transcript)")
        let traced = run.records.compactMap { $0["traced"] as? [String: Any] }
        #expect(traced.count == 6, "\(traced)")
        guard traced.count == 6 else { return }
        #expect(traced[0]["errno"] as? String == "EFAULT" && traced[0]["damage"] != nil)
        #expect(traced[1]["errno"] == nil && traced[1]["result"] as? Int == 0 && traced[1]["damage"] != nil)
        #expect(traced[2]["errno"] as? String == "EFAULT" && traced[2]["damage"] != nil)
        #expect(traced[3]["errno"] as? String == "EINVAL" || traced[3]["errno"] as? String == "EBADF")
        #expect(traced[4]["errno"] as? String == "EINVAL" && traced[4]["damage"] != nil)
        #expect(traced[5]["result"] as? Int == 1 && traced[5]["damage"] == nil)
        #expect(Rig.ints(run.records[5]["readable"]).count == 1)
    }
}
