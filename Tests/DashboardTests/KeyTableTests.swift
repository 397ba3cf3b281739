import Dashboard
import SelectCore
import Clients
import Testing

/// One table drives dispatch, the key bar and the help overlay.
/// The keys the dashboard's own server offers (no thread key: it has one loop).
private let ownServerKeys = KeyTable.offered(tracedProgram: false, loopThreads: 0)

@Suite struct KeyTableTests {
    @Test func everyBoundKeyDispatchesItsCommand() {
        for binding in KeyTable.bindings {
            for action in binding.actions {
                #expect(KeyTable.command(for: action.key) == action.command, "\(binding.label): \(action.key)")
            }
        }
    }

    @Test func theSpecsKeysDoWhatTheSpecSays() {
        let expected: [(Key, Command)] = [
            (.character("1"), .switchMode(.one)), (.character("5"), .switchMode(.five)),
            (.character("c"), .spawnModeClient), (.character("f"), .spawnClient(.flood)),
            (.character("i"), .spawnClient(.idle)), (.character("o"), .spawnClient(.oob)),
            (.character("x"), .closeNewestClient), (.character("r"), .resetNewestClient),
            (.space, .pauseOrStep), (.enter, .resume), (.character("b"), .nextBackend), (.character("v"), .cycleView),
            (.character("+"), .fasterClients), (.character("-"), .slowerClients),
            (.up, .selectPrevious), (.down, .selectNext), (.pageUp, .pageUp), (.pageDown, .pageDown),
            (.home, .scrollHome), (.end, .scrollEnd), (.character("k"), .scrollUp), (.character("j"), .scrollDown),
            (.tab, .focusNext), (.character("z"), .zoom), (.character("p"), .chooseBreakpoints),
            (.character("?"), .toggleHelp), (.character("q"), .quit), (.controlC, .quit),
        ]
        for (key, command) in expected {
            #expect(KeyTable.command(for: key) == command, "\(key)")
        }
    }

    @Test func unboundKeysDoNothing() {
        #expect(KeyTable.command(for: .character("Z")) == nil)
        #expect(KeyTable.command(for: .function(7)) == nil)
        #expect(KeyTable.command(for: .character("6")) == nil)
    }

    @Test func noKeyIsBoundTwice() {
        let keys = KeyTable.bindings.flatMap(\.keys)
        #expect(Set(keys).count == keys.count)
    }

    @Test func everyBindingHasWordsInBothLanguages() {
        for binding in KeyTable.bindings {
            #expect(!binding.help.en.isEmpty && !binding.help.zhTW.isEmpty, "\(binding.label)")
            if let bar = binding.bar { #expect(!bar.en.isEmpty && !bar.zhTW.isEmpty) }
        }
    }

    @Test func helpOverlayListsEveryKeyWithItsSentence() {
        for language in Language.allCases {
            var model = Fixtures.modeOneGrowingQueues()
            model.showHelp = true
            model.language = language
            let grid = DashboardRenderer.render(model, width: 100, height: 30)
            #expect(grid.locate(language == .en ? "help" : "說明 help") != nil)
            for binding in ownServerKeys {
                guard let place = grid.locate(binding.help(language)) else {
                    Issue.record("help does not list \(binding.label) in \(language)")
                    continue
                }
                // The key's label starts the same line.
                let line = grid.lines[place.y]
                #expect(line.contains(" \(binding.label) "), "\(binding.label)")
            }
        }
    }

    @Test func helpOverlayDimsTheScreenBehindIt() {
        var model = Fixtures.modeOneGrowingQueues()
        model.showHelp = true
        let grid = DashboardRenderer.render(model, width: 80, height: 24)
        #expect(grid[0, 0].role == .dim)
        let labelWidth = KeyTable.bindings.map { $0.label.count }.max()!
        #expect(grid.role(of: "1-5" + String(repeating: " ", count: labelWidth - 3 + 2) + "switch") == .keyName)
    }

    @Test func keyBarShowsEveryBarEntryWhenWide() {
        let grid = DashboardRenderer.render(Fixtures.modeOneGrowingQueues(), width: 160, height: 30)
        let bar = grid.trimmedLines.last!
        for binding in ownServerKeys {
            if let word = binding.bar { #expect(bar.contains("\(binding.label) \(word.en)"), "\(binding.label)") }
        }
        #expect(grid[0, 29].role == .keyBar)
        #expect(grid.role(of: "q quit") == .keyName)
    }

    @Test func narrowKeyBarKeepsHelpAndQuit() {
        for width in [60, 80] {
            let bar = DashboardRenderer.render(Fixtures.modeOneGrowingQueues(), width: width, height: 24).trimmedLines.last!
            #expect(bar.contains("? help") && bar.contains("q quit") && bar.contains("c client") && bar.contains("space step"))
            #expect(width < 80 || bar.contains("v view"), "the views are found from the bar at 80 columns")
            #expect(DisplayWidth.of(bar) <= width)
        }
    }
}

/// The key bar at every width and language shows the most important keys, in one order.
@Suite struct KeyBarRankingTests {
    @Test func everyWidthAndLanguageShowsAPrefixOfOneRanking() {
        let ranking = ownServerKeys.enumerated().filter { $0.element.bar != nil }
            .sorted { ($0.element.barRank, $0.offset) < ($1.element.barRank, $1.offset) }.map(\.element.label)
        let order = ownServerKeys.filter { $0.bar != nil }.map(\.label)
        for language in Language.allCases {
            for width in stride(from: 60, through: 200, by: 7) {
                var model = Fixtures.modeOneGrowingQueues()
                model.language = language
                let bar = DashboardRenderer.render(model, width: width, height: 24).trimmedLines.last!
                let shown = order.filter { label in
                    let words = ownServerKeys.first { $0.label == label }!.bar!(language)
                    return bar.contains(" \(label) \(words)")
                }
                #expect(Set(shown) == Set(ranking.prefix(shown.count)), "\(language) at \(width): \(bar)")
            }
        }
    }
}
