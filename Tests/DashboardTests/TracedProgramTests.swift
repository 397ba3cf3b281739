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

    @Test func aTracedProgramsOwnQueuesShowAsUnknownNotEmpty() throws {
        var server = Fixtures.server(mode: .one)
        server.queueCap = 0
        server.connections = [Fixtures.connection(5, port: 40000, bytesIn: 24, bytesOut: 24)]
        var own = DashboardModel(server: server)
        let ownLines = DashboardRenderer.render(own, width: 120, height: 36).lines
        server.queuesUnknown = true
        own.server = server
        let traced = DashboardRenderer.render(own, width: 120, height: 36).lines
        let row: ([String]) -> String? = { lines in lines.first { $0.contains("127.0.0.1:40000") && $0.contains("24B") } }
        #expect(ownLines.contains { $0.contains("queued 0B") })
        #expect(traced.contains { $0.contains("its own queues: unknown") } && !traced.contains { $0.contains("queued 0B") })
        let ownRow = try #require(row(ownLines))
        let tracedRow = try #require(row(traced))
        #expect(ownRow.contains(" 0B ") && tracedRow.contains("?") && !tracedRow.contains(" 0B "), "\(ownRow) / \(tracedRow)")
    }

    @Test func recordsFromATracedProgramMakeItsQueuesUnknown() {
        var reducer = SnapshotReducer(listener: 3)
        var record = StepRecord()
        record.seq = 1
        record.listener = 3
        record.inputs = [3]
        reducer.apply(record)
        #expect(!reducer.snapshot().queuesUnknown)
        record.seq = 2
        record.origin = CallOrigin(pid: 10, tid: 10, call: "pselect6", result: 0)
        reducer.apply(record)
        #expect(reducer.snapshot().queuesUnknown)
    }
}
