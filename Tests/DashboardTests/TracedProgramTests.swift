import Dashboard
import SelectCore
import Testing

/// `selectscope watch` (issue 11): the header names the traced program, and the keys that
/// switch the dashboard's own server (mode 1-5, backend) are not offered.
@Suite struct TracedProgramTests {
    private func screen(program: String?) -> [String] {
        var server = Fixtures.server(mode: .one)
        server.tracedProgram = program != nil
        var model = DashboardModel(server: server)
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

    @Test func aTracedProgramsOwnQueuesShowAsUnknownNotEmpty() throws {
        var server = Fixtures.server(mode: .one)
        server.queueCap = 0
        server.connections = [Fixtures.connection(5, port: 40000, bytesIn: 24, bytesOut: 24)]
        var own = DashboardModel(server: server)
        let ownLines = DashboardRenderer.render(own, width: 120, height: 36).lines
        server.tracedProgram = true
        own.server = server
        let traced = DashboardRenderer.render(own, width: 120, height: 36).lines
        let row: ([String]) -> String? = { lines in lines.first { $0.contains("127.0.0.1:40000") && $0.contains("24B") } }
        #expect(ownLines.contains { $0.contains("queued 0B") })
        #expect(traced.contains { $0.contains("its own queues: unknown") } && !traced.contains { $0.contains("queued 0B") })
        let ownRow = try #require(row(ownLines))
        let tracedRow = try #require(row(traced))
        // Its rows leave out the columns it cannot fill.
        #expect(ownRow.contains(" 0B ") && !tracedRow.contains(" 0B "), "\(ownRow) / \(tracedRow)")
        #expect(ownLines.contains { $0.contains("msgs queued") } && !traced.contains { $0.contains("msgs") })
    }

    @Test func recordsFromATracedProgramMakeItsQueuesUnknown() {
        var reducer = SnapshotReducer(listener: 3)
        var record = StepRecord()
        record.seq = 1
        record.listener = 3
        record.inputs = [3]
        reducer.apply(record)
        #expect(!reducer.snapshot().tracedProgram)
        record.seq = 2
        record.origin = CallOrigin(pid: 10, tid: 10, call: "pselect6", result: 0)
        reducer.apply(record)
        #expect(reducer.snapshot().tracedProgram)
    }

    private func tracedModel(output: [String]) -> DashboardModel {
        var server = Fixtures.server(mode: .one)
        server.tracedProgram = true
        var model = DashboardModel(server: server)
        model.program = "pid 7  python3 server.py"
        model.programOutput = output
        return model
    }

    @Test func theProgramsOutputHasAPaneBesideTheQueuesOrTheCodeColumnOrTheViewKey() {
        let model = tracedModel(output: ["readable: [3]", "writable: []"])
        for width in [100, 120, 160, 200] {
            let lines = DashboardRenderer.render(model, width: width, height: 40).lines
            #expect(lines.contains { $0.contains("its output") }, "width \(width)")
            #expect(lines.contains { $0.contains("readable: [3]") }, "width \(width)")
            // The seed's source is not this program's code.
            #expect(!lines.contains { $0.contains("source 練習") }, "width \(width)")
        }
        var narrow = model
        #expect(!DashboardRenderer.render(narrow, width: 80, height: 24).lines.contains { $0.contains("readable: [3]") })
        narrow.view = narrow.view.next(traced: true)
        #expect(narrow.view == .output)
        #expect(DashboardRenderer.render(narrow, width: 80, height: 24).lines.contains { $0.contains("readable: [3]") })
    }

    @Test func anEmptyOutputPaneSaysWhy() {
        var model = tracedModel(output: [])
        #expect(DashboardRenderer.render(model, width: 120, height: 36).lines.contains { $0.contains("nothing printed yet") })
        // A replay gives the queues their whole row; the code column says why it is empty.
        model.replay = ReplayInfo(position: 1, total: 1)
        #expect(!DashboardRenderer.render(model, width: 120, height: 36).lines.contains { $0.contains("its output") })
        #expect(DashboardRenderer.render(model, width: 160, height: 36).lines.contains { $0.contains("a trace keeps the calls") })
    }

    @Test func outputLinesAreMadeSafeToDraw() {
        let text = "one\ttwo\n\u{1b}[2Jclear\nprogress 10%\rprogress 100%\n\n"
        #expect(ProgramOutputPane.lines(of: text, limit: 10) == ["one    two", "?[2Jclear", "progress 100%", ""])
        #expect(ProgramOutputPane.lines(of: "a\nb\nc", limit: 2) == ["b", "c"])
        #expect(ProgramOutputPane.lines(of: "", limit: 5) == [])
    }

    @Test func tCyclesTheLoopThreadsAndIsOfferedOnlyWhenThereAreSeveral() {
        var state = DashboardState()
        var server = Fixtures.server(mode: .one)
        server.tracedProgram = true
        server.loopThreads = [100]
        server.shownThread = 100
        _ = state.apply(.observed(server, clients: []))
        #expect(state.apply(.key(.character("t"))) == [])
        var model = state.model(asciiOnly: false)
        model.program = "pid 100  ./threaded"
        #expect(!(DashboardRenderer.render(model, width: 160, height: 40).lines.last ?? "").contains("t thread"))

        server.loopThreads = [100, 101, 102]
        server.connections = [Fixtures.connection(5, port: 40000)]
        _ = state.apply(.observed(server, clients: []))
        _ = state.apply(.key(.down))
        #expect(state.selection == 5)
        #expect(state.apply(.key(.character("t"))) == [.showThread(101)])
        #expect(state.selection == nil && state.visibleStatus?.contains("thread 101") == true)
        server.shownThread = 102
        _ = state.apply(.observed(server, clients: []))
        #expect(state.apply(.key(.character("t"))) == [.showThread(100)])
        model = state.model(asciiOnly: false)
        model.program = "pid 100  ./threaded"
        #expect((DashboardRenderer.render(model, width: 160, height: 40).lines.last ?? "").contains("t thread"))
    }

    @Test func aTracedProgramsRecordingIsNamedAsSuchInReplay() {
        var state = DashboardState()
        state.replay = ReplayCursor(seqs: [1, 2, 3])
        var server = Fixtures.server(mode: .one)
        var record = StepRecord()
        record.seq = 1
        record.origin = CallOrigin(pid: 4321, tid: 4321, call: "pselect6")
        server.lastRecord = record
        server.tracedProgram = true
        _ = state.apply(.observed(server, clients: []))
        let header = DashboardRenderer.render(state.model(asciiOnly: false), width: 120, height: 36).lines[0]
        #expect(header.contains("traced program pid 4321") && !header.contains("mode 1"), "\(header)")
    }
}
