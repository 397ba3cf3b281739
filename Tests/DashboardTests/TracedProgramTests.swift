import Dashboard
import SelectCore
import Testing

/// `selectscope watch` (issue 11): the header names the traced program, and the keys that
/// switch the dashboard's own server (mode 1-5, backend) are not offered.
@Suite struct TracedProgramTests {
    private func screen(program: String?) -> [String] {
        var model = DashboardModel(server: Fixtures.server(mode: .one))
        model.program = program
        return DashboardRenderer.render(model, width: 160, height: 40).lines
    }

    @Test func theHeaderNamesTheProgramInsteadOfTheMode() {
        let own = screen(program: nil)
        let traced = screen(program: "pid 4242  python3 server.py")
        #expect(own[0].contains("mode 1"))
        #expect(traced[0].contains("pid 4242  python3 server.py"))
        #expect(!traced[0].contains("mode 1"))
    }

    @Test func modeAndBackendKeysAreNotOfferedForATracedProgram() {
        let ownBar = screen(program: nil).last ?? ""
        let tracedBar = screen(program: "pid 1  prog").last ?? ""
        #expect(ownBar.contains("1-5 mode") && ownBar.contains("b backend"))
        #expect(!tracedBar.contains("1-5 mode") && !tracedBar.contains("b backend"))
        #expect(tracedBar.contains("space step") && tracedBar.contains("c client"))
    }

    /// The end of a traced program: how, and its last stderr lines, in a box at the bottom of
    /// the log; the log's newest lines stay visible above it.
    @Test func anEndedProgramShowsHowAndItsLastStderrLines() {
        var server = Fixtures.server(mode: .one)
        server.log = (1...30).map { LogEntry(seq: $0, event: ServerEvent(kind: .timeout)) }
        var model = DashboardModel(server: server)
        model.program = "pid 7  python3 crash.py"
        model.programEnd = ProgramEndNote(headline: "pid 7 exited with status 1",
                                          lastLines: ["    return 1 / 0", "ZeroDivisionError: division by zero"])
        let lines = DashboardRenderer.render(model, width: 120, height: 36).lines
        let title = lines.firstIndex { $0.contains("pid 7 exited with status 1") && $0.contains("its last stderr lines") }
        #expect(title != nil, "\(lines.joined(separator: "\n"))")
        #expect(lines.contains { $0.contains("ZeroDivisionError: division by zero") })
        if let title { #expect(lines[title - 1].contains("#30 timeout"), "the newest log line right above the box") }
        model.programEnd?.lastLines = []
        #expect(DashboardRenderer.render(model, width: 120, height: 36).lines.contains { $0.contains("(nothing on stderr)") })
        model.programEnd?.captured = false
        #expect(DashboardRenderer.render(model, width: 120, height: 36).lines.contains { $0.contains("its stderr went to its own terminal") },
                "an attached program's stderr was never ours to show")
    }
}
