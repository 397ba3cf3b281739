import Dashboard
import SelectCore
import Clients
import Testing

/// The screen's state and its one `update`: key handling tested without a terminal.
@Suite struct DashboardStateTests {
    private func observed(mode: Mode = .one, connections: [ConnectionRow] = [], clients: [ClientRow] = []) -> DashboardState {
        var server = Fixtures.server(mode: mode)
        server.connections = connections
        var state = DashboardState()
        _ = state.apply(.observed(server, clients: clients))
        return state
    }

    private func keys(_ text: String, on state: inout DashboardState) -> [DashboardEffect] {
        text.flatMap { state.apply(.key($0 == " " ? .space : .character($0))) }
    }

    @Test func keysTypedTogetherActOnTheStateTheOneBeforeLeft() {
        var state = observed(mode: .one)
        let effects = keys("2c", on: &state)
        // Mode 2's client is the echo client: `c` sees the mode `2` asked for, before any
        // snapshot says the server switched.
        #expect(effects == [.server(.switchMode(.two)), .spawnClient(.echo, interval: 3)])
        #expect(state.mode == .two)
    }

    @Test func theRequestedModeGivesWayOnceTheServerShowsIt() {
        var state = observed(mode: .one)
        _ = keys("2", on: &state)
        var server = state.server
        _ = state.apply(.observed(server, clients: []))
        #expect(state.mode == .two, "a snapshot from before the switch does not undo it")
        server.mode = .two
        _ = state.apply(.observed(server, clients: []))
        #expect(state.requestedMode == nil)
        #expect(keys("c", on: &state) == [.spawnClient(.echo, interval: 3)])
    }

    @Test func modeOnesClientIsTheSender() {
        var state = observed(mode: .two)
        #expect(keys("1c", on: &state) == [.server(.switchMode(.one)), .spawnClient(.sender, interval: 3)])
    }

    @Test func updateIsPure() {
        let state = observed()
        let (next, effects) = DashboardState.update(state, .key(.character("v")))
        #expect(state.view == .lastCall)
        #expect(next.view == .source)
        #expect(effects.isEmpty)
    }

    @Test func spaceAndEnterSteerTheServer() {
        var state = observed()
        #expect(keys(" ", on: &state) == [.server(.step)])
        #expect(state.apply(.key(.enter)) == [.server(.resume)])
        #expect(state.apply(.key(.character("b"))) == [.server(.nextBackend)])
        #expect(state.apply(.key(.character("q"))) == [.quit])
    }

    @Test func helpOpensScrollsAndClosesWithoutActing() {
        var state = observed()
        _ = keys("?", on: &state)
        #expect(state.showHelp)
        #expect(state.apply(.key(.down)) == [])
        #expect(state.apply(.key(.character("j"))) == [])
        #expect(state.helpScroll == 2)
        #expect(keys("c", on: &state).isEmpty, "keys under the help do not act")
        _ = state.apply(.key(.escape))
        #expect(!state.showHelp)
    }

    @Test func arrowsSelectConnectionsAndXActsOnTheClientBehindIt() {
        let clients = [
            ClientRow(id: 1, pid: 100, kind: .echo, state: .running),
            ClientRow(id: 2, pid: 200, kind: .echo, state: .running),
        ]
        var withPorts = clients
        withPorts[0].localPort = 50001
        withPorts[1].localPort = 50002
        var state = observed(connections: [Fixtures.connection(5, port: 50001), Fixtures.connection(6, port: 50002)], clients: withPorts)
        // Nothing selected: the newest client.
        #expect(keys("x", on: &state) == [.closeClient(pid: nil)])
        _ = state.apply(.key(.down))
        #expect(state.selection == 5)
        #expect(state.selectedClient?.pid == 100)
        #expect(keys("x", on: &state) == [.closeClient(pid: 100)])
        _ = state.apply(.key(.down))
        #expect(keys("r", on: &state) == [.resetClient(pid: 200)])
        _ = state.apply(.key(.up))
        _ = state.apply(.key(.up))
        #expect(state.selection == nil, "up past the first row clears the selection")
    }

    @Test func aClosedSelectedConnectionIsDeselected() {
        var state = observed(connections: [Fixtures.connection(5, port: 50001)])
        _ = state.apply(.key(.up))
        #expect(state.selection == 5)
        _ = state.apply(.observed(Fixtures.server(mode: .one), clients: []))
        #expect(state.selection == nil)
    }

    @Test func pageKeysMoveTheLogByAPageAndEndFollowsAgain() {
        var server = Fixtures.server(mode: .one)
        server.log = (1...100).map { LogEntry(seq: $0, event: ServerEvent(kind: .timeout)) }
        var state = DashboardState()
        _ = state.apply(.observed(server, clients: []))
        _ = state.apply(.resized(width: 100, height: 30))
        _ = state.apply(.key(.pageUp))
        #expect(state.logScroll > 1, "a page, not a row")
        let page = state.logScroll
        _ = state.apply(.key(.character("k")))
        #expect(state.logScroll == page + 1)
        _ = state.apply(.key(.home))
        #expect(state.logScroll == 99)
        _ = state.apply(.key(.end))
        #expect(state.logScroll == 0)
    }

    @Test func tabMovesTheFocusAndZToggleZoom() {
        var state = observed()
        #expect(state.focus == .log)
        _ = state.apply(.key(.tab))
        #expect(state.focus == .queues)
        _ = state.apply(.key(.character("z")))
        #expect(state.zoomed)
        _ = state.apply(.key(.character("z")))
        #expect(!state.zoomed)
    }

    @Test func theBreakpointChooserTogglesEventsAndTellsTheServer() {
        var state = observed()
        _ = state.apply(.key(.character("p")))
        #expect(state.choosingBreakpoints)
        #expect(state.apply(.key(.character("1"))) == [.server(.setBreakpoints([.shortSend]))])
        #expect(state.apply(.key(.character("a"))) == [.server(.setBreakpoints(Set(Breakpoint.allCases)))])
        #expect(state.apply(.key(.character("n"))) == [.server(.setBreakpoints([]))])
        _ = state.apply(.key(.escape))
        #expect(!state.choosingBreakpoints)
    }

    /// A traced program is offered six: the digits, `a` and the hint follow what is offered.
    @Test func theChooserOffersOnlyWhatTheProducerCanHit() {
        var state = observed()
        state.offeredBreakpoints = Breakpoint.traceable
        _ = state.apply(.key(.character("p")))
        #expect(state.apply(.key(.character("6"))) == [.server(.setBreakpoints([.refused]))])
        #expect(state.apply(.key(.character("7"))).isEmpty, "no seventh breakpoint")
        #expect(state.apply(.key(.character("a"))) == [.server(.setBreakpoints(Set(Breakpoint.traceable)))])
        let screen = DashboardRenderer.render(state.model(asciiOnly: false), width: 100, height: 30).lines
        #expect(screen.contains { $0.contains("1-6 toggle") })
        #expect(!screen.contains { $0.contains("queue-at-cap") })
    }

    @Test func aBreakpointHitSaysWhereAndSelectsTheConnection() {
        var state = observed(connections: [Fixtures.connection(5, port: 50001)])
        let event = ServerEvent(kind: .send, fd: 5, bytes: 100, requested: 1000)
        _ = state.apply(.breakpointHit(BreakpointHit(breakpoint: .shortSend, seq: 42, event: event)))
        #expect(state.visibleStatus?.contains("call #42: short-send fd 5") == true)
        #expect(state.selection == 5)
        _ = state.apply(.clock(1000))
        #expect(state.visibleStatus != nil, "it stays while the loop stands still")
        _ = state.apply(.key(.enter))
        #expect(state.visibleStatus == nil)
    }

    @Test func aStatusMessageFades() {
        var state = observed()
        _ = state.apply(.clock(10))
        _ = state.apply(.status("started echo client"))
        _ = state.apply(.clock(12))
        #expect(state.visibleStatus == "started echo client")
        _ = state.apply(.clock(10 + StatusLine.lifetime + 0.1))
        #expect(state.visibleStatus == nil)
    }

    @Test func finishedClientsFoldAwayAfterAFewSeconds() {
        let running = ClientRow(id: 1, pid: 100, kind: .echo, state: .running)
        let exited = ClientRow(id: 2, pid: 200, kind: .echo, state: .exited, exitDescription: "exit 0")
        var state = DashboardState()
        _ = state.apply(.clock(1))
        _ = state.apply(.observed(Fixtures.server(mode: .one), clients: [running, exited]))
        #expect(state.listedClients.count == 2)
        _ = state.apply(.clock(1 + DashboardState.finishedClientLinger + 0.5))
        _ = state.apply(.observed(Fixtures.server(mode: .one), clients: [running, exited]))
        #expect(state.listedClients == [running])
        #expect(state.foldedClients == 1)
    }

    @Test func plusAndMinusSayOnlyNewClientsChange() {
        var state = observed()
        _ = keys("+", on: &state)
        #expect(state.clientInterval == 2)
        #expect(state.visibleStatus?.contains("running ones keep theirs") == true)
        #expect(keys("c", on: &state) == [.spawnClient(.sender, interval: 2)])
    }

    @Test func replayKeysStepAndPlay() {
        var state = DashboardState()
        state.replay = ReplayCursor(seqs: [1, 2, 3, 10])
        _ = state.apply(.key(.right))
        #expect(state.replay?.position == 1)
        _ = state.apply(.key(.left))
        #expect(state.replay?.position == 0)
        _ = keys("10", on: &state)
        _ = state.apply(.key(.enter))
        #expect(state.replay?.position == 3)
        #expect(keys(" ", on: &state) == [.scheduleReplayStep], "playing from the end starts over")
        #expect(state.replay?.position == 0)
        #expect(state.apply(.replayStepDue) == [.scheduleReplayStep])
        #expect(state.replay?.position == 1)
        #expect(state.apply(.key(.character("c"))) == [], "no live keys in a replay")
    }

    @Test func aClickSelectsTheConnectionOnThatRowAndTheWheelScrollsThePaneUnderIt() {
        var server = Fixtures.server(mode: .one)
        server.inputs = [3, 5, 6]
        server.connections = [Fixtures.connection(5, port: 50001), Fixtures.connection(6, port: 50002)]
        server.log = (1...100).map { LogEntry(seq: $0, event: ServerEvent(kind: .timeout)) }
        var state = DashboardState()
        _ = state.apply(.observed(server, clients: []))
        _ = state.apply(.resized(width: 80, height: 24))
        let layout = Layout.compute(width: 80, height: 24)!
        // inputs: row 0 is the listener, row 1 fd 5.
        _ = state.apply(.mouse(MouseEvent(x: layout.inputs.inner.x + 2, y: layout.inputs.inner.y + 1, kind: .click)))
        #expect(state.selection == 5)
        // queues: under the column names, the second row is fd 6.
        _ = state.apply(.mouse(MouseEvent(x: layout.queues.inner.x + 2, y: layout.queues.inner.y + 2, kind: .click)))
        #expect(state.selection == 6)
        #expect(state.focus == .queues)
        _ = state.apply(.mouse(MouseEvent(x: layout.log.inner.x + 2, y: layout.log.inner.y, kind: .wheelUp)))
        #expect(state.focus == .log)
        #expect(state.logScroll == 3)
    }
}
