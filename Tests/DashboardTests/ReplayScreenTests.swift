import Dashboard
import SelectCore
import Testing

/// A replay draws the same panes from a recorded trace; its header, key bar and help come
/// from the replay's own key table.
@Suite struct ReplayScreenTests {
    static func replay(speed: Double = 0.25, playing: Bool = false, damage: String? = nil, language: Language = .en) -> DashboardModel {
        var model = TeachingFixtures.modeFourAcceptRecvQueueEmpty(language: language)
        model.clients = []
        model.replay = ReplayInfo(position: 17, total: 250, speed: speed, playing: playing, damage: damage)
        return model
    }

    @Test func headerShowsTheCallSpeedAndPlayState() {
        let paused = DashboardRenderer.render(Self.replay(), width: 80, height: 24)
        #expect(paused.trimmedLines[1].hasSuffix("REPLAY call 17/250 · 0.25x · paused"))
        #expect(paused.role(of: "REPLAY call 17/250") == .highlight)
        #expect(paused.role(of: "paused") == .warning)
        let playing = DashboardRenderer.render(Self.replay(speed: 1, playing: true), width: 80, height: 24)
        #expect(playing.trimmedLines[1].hasSuffix("REPLAY call 17/250 · 1x · playing"))
        #expect(playing.role(of: "playing") == .readable)
        // The totals give way to the replay's state, cut with an ellipsis.
        #expect(playing.trimmedLines[1].hasPrefix("calls 23  timeouts 0  conns 3  in 3.4K  out"))
    }

    @Test func speedsAreWrittenShort() {
        let labels = Labels(.en)
        #expect([0.25, 0.5, 1, 2, 4, 8].map(labels.speed) == ["0.25x", "0.5x", "1x", "2x", "4x", "8x"])
    }

    @Test func damageIsSaidUnderTheHeader() {
        let grid = DashboardRenderer.render(Self.replay(damage: "line 251: unexpected end of file"), width: 80, height: 24)
        #expect(grid.trimmedLines[2] == "damaged trace: line 251: unexpected end of file")
        #expect(grid.role(of: "damaged trace:") == .error)
        let chinese = DashboardRenderer.render(Self.replay(damage: "line 251: unexpected end of file", language: .zhTW), width: 80, height: 24)
        #expect(chinese.trimmedLines[2] == "紀錄檔損毀：line 251: unexpected end of file")
        #expect(chinese.trimmedLines[1].hasSuffix("重播 REPLAY 第 17/250 次呼叫 · 0.25x · 已暫停"))
    }

    @Test func keyBarComesFromTheReplayTable() {
        let bar = DashboardRenderer.render(Self.replay(), width: 80, height: 24).trimmedLines.last!
        #expect(bar == " space play  →/n next  ←/p back  0-9 enter jump  +/- speed  ? help  q quit")
        #expect(!bar.contains("client"))
        let narrow = DashboardRenderer.render(Self.replay(), width: 60, height: 16).trimmedLines.last!
        #expect(narrow.contains("? help") && narrow.contains("q quit") && narrow.contains("space play"))
        #expect(DisplayWidth.of(narrow) <= 60)
        var ascii = Self.replay()
        ascii.asciiOnly = true
        #expect(DashboardRenderer.render(ascii, width: 100, height: 24).trimmedLines.last!.contains("right/n next  left/p back"))
    }

    @Test func helpListsEveryReplayKeyAndNoLiveOne() {
        for language in Language.allCases {
            var model = Self.replay(language: language)
            model.showHelp = true
            let grid = DashboardRenderer.render(model, width: 100, height: 30)
            #expect(grid.locate(language == .en ? "help · replay" : "說明 help · 重播") != nil)
            for binding in ReplayKeyTable.bindings {
                guard let place = grid.locate(binding.help(language)) else {
                    Issue.record("replay help does not list \(binding.label) in \(language)")
                    continue
                }
                #expect(grid.lines[place.y].contains(" \(binding.label) "), "\(binding.label)")
            }
            #expect(grid.locate(KeyTable.bindings[1].help(language)) == nil, "no live key in the replay's help")
        }
    }

    @Test func replayKeysDispatch() {
        let expected: [(Key, ReplayCommand)] = [
            (.space, .playPause), (.right, .stepForward), (.character("n"), .stepForward), (.left, .stepBack),
            (.character("p"), .stepBack), (.home, .jumpToStart), (.end, .jumpToEnd), (.character("7"), .digit(7)),
            (.enter, .jump), (.character("+"), .faster), (.character("="), .faster), (.character("-"), .slower),
            (.character("?"), .toggleHelp), (.character("q"), .quit), (.controlC, .quit),
        ]
        for (key, command) in expected {
            #expect(ReplayKeyTable.command(for: key) == command, "\(key)")
        }
        #expect(ReplayKeyTable.command(for: .character("c")) == nil)
        let keys = ReplayKeyTable.bindings.flatMap(\.keys)
        #expect(Set(keys).count == keys.count, "no key bound twice")
    }

    @Test func aReplayHasNoClientProcesses() {
        let grid = DashboardRenderer.render(Self.replay(), width: 80, height: 24)
        #expect(grid.text.contains("├ clients 0 ──"))
        #expect(grid.text.contains("│recorded: no client processes │"))
        let chinese = DashboardRenderer.render(Self.replay(language: .zhTW), width: 80, height: 24)
        #expect(chinese.text.contains("重播紀錄：沒有用戶端程序"))
    }
}
