import Foundation
import Testing

/// The homework's programs ship inside the repository (`selectscope seed`), so a user's clone
/// runs the oracle tests without the course's files. Where the course's copy is beside the
/// package, the two must agree to the byte.
@Suite("the repository's copy of the homework")
struct SeedCopyTests {
    @Test("matches the course's seed, program by program",
          .enabled(if: Rig.seedFile != nil && Rig.python != nil, "needs python3 and the course's seed at ../shared/seed"),
          arguments: 1...5)
    func matchesTheCourseSeed(exercise: Int) throws {
        let python = try #require(Rig.python)
        let seedFile = try #require(Rig.seedFile)
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for part in ["server", "client"] {
            let ours = try String(contentsOf: Rig.homeworkProgram(exercise: exercise, part: part, port: nil, in: folder), encoding: .utf8)
            let extract = try SpawnedProcess(python, [
                "-c", "import sys; sys.path.insert(0, sys.argv[4]); import seedcode; "
                    + "sys.stdout.write(seedcode.extract(sys.argv[1], int(sys.argv[2]), sys.argv[3]))",
                seedFile.path, String(exercise), part, Rig.oracleFolder.path,
            ], name: "extract")
            #expect(extract.waitForExit(timeout: 30) == 0, "\(extract.transcript)")
            #expect(ours == extract.stdout, "exercise \(exercise) \(part) differs from the course's seed")
        }
    }

    @Test("--port moves the one hard-coded address, and nothing else")
    func portIsRewritten() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for exercise in 1...5 {
            for part in ["server", "client"] {
                let plain = try String(contentsOf: Rig.homeworkProgram(exercise: exercise, part: part, port: nil, in: folder), encoding: .utf8)
                let moved = try String(contentsOf: Rig.homeworkProgram(exercise: exercise, part: part, port: 4321, in: folder), encoding: .utf8)
                #expect(plain.components(separatedBy: "('localhost', 1234)").count == 2)
                #expect(moved == plain.replacingOccurrences(of: "('localhost', 1234)", with: "('localhost', 4321)"))
            }
        }
    }

    @Test("an exercise outside 1–5 is refused with a message")
    func badExercise() throws {
        let process = try SpawnedProcess.selectscope(["seed", "6"])
        #expect(process.waitForExit(timeout: 30) == 64)
        #expect(process.stderr.contains("must be 1, 2, 3, 4 or 5"))
    }
}
