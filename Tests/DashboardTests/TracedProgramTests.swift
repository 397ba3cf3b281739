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
}
