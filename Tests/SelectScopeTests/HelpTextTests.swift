import Foundation
import Testing
@testable import ProcessTesting

/// What `selectscope --help` and `--version` tell a newcomer.
@Suite(.enabled(if: Rig.binary != nil, "the selectscope binary was not built"))
struct HelpTextTests {
    private func run(_ arguments: [String]) throws -> (status: Int32?, stdout: String, stderr: String) {
        let process = try SpawnedProcess.selectscope(arguments)
        let status = process.waitForExit(timeout: 20)
        return (status, process.stdout, process.stderr)
    }

    @Test func topLevelHelpListsEveryDashboardOption() throws {
        let top = try run(["--help"])
        let dashboard = try run(["dashboard", "--help"])
        let options = Set(dashboard.stdout.matches(of: #/^\s+(--[a-z-]+)/#.anchorsMatchLineEndings()).map { String($0.1) })
            .subtracting(["--help", "--version"])
        #expect(options.count >= 8, "\(dashboard.stdout)")
        for option in options {
            #expect(top.stdout.contains(option), "`selectscope --help` does not list \(option)")
        }
        #expect(top.stdout.contains("localhost:1234"))
        #expect(top.stdout.contains("--generate-completion-script"))
    }

    @Test func versionIsPrinted() throws {
        let result = try run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.firstMatch(of: #/^\d+\.\d+\.\d+\n$/#) != nil, "\(result.stdout)")
    }

    @Test func anUnknownBreakpointIsOneLineAndExitCode64() throws {
        let result = try run(["--break", "short-send,nonsense", "--port", "0"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("unknown event 'nonsense'"), "\(result.stderr)")
    }
}
