import SelectCore
import Clients

/// One key (or one family of keys, like `1`–`5`) and what it does.
public struct KeyBinding: Sendable, Equatable {
    /// A key and the command it sends; the digits of `1`–`5` each send their own mode.
    public struct Action: Sendable, Equatable {
        public let key: Key
        public let command: Command
    }

    public let actions: [Action]
    /// How the key is written on the bar and in the help ("1-5", "space").
    public let label: String
    /// The bar's short word ("mode"); nil keeps the key off the bar (help lists it still).
    public let bar: Localized?
    /// Which bar entries survive a narrow terminal: lower first.
    public let barRank: Int
    /// The help overlay's sentence.
    public let help: Localized

    public var keys: [Key] { actions.map(\.key) }
    public var commands: [Command] { actions.map(\.command) }
}

/// The one table of keys. Dispatch, the key bar and the help overlay all read it, so the
/// screen can never promise a key that does nothing.
public enum KeyTable {
    public static let bindings: [KeyBinding] = [
        KeyBinding(
            actions: Mode.allCases.map { .init(key: .character(Character(String($0.rawValue))), command: .switchMode($0)) },
            label: "1-5", bar: Localized("mode", "模式"), barRank: 3,
            help: Localized("switch to exercise 1-5; connections and queues stay",
                            "切換到練習1-5；連線與佇列都保留")),
        bind(.character("c"), .spawnModeClient, "c", bar: Localized("client", "用戶端"), rank: 1,
             help: Localized("start the mode's client (mode 1: sender, else echo)", "啟動本模式的用戶端（模式1：只送，其他：echo）")),
        bind(.character("f"), .spawnClient(.flood), "f", bar: Localized("flood", "灌爆"), rank: 6,
             help: Localized("start a flood client: sends flat out, never reads", "啟動灌爆用戶端：全速傳送、從不讀取")),
        bind(.character("i"), .spawnClient(.idle), "i", bar: Localized("idle", "閒置"), rank: 10,
             help: Localized("start an idle client: connects, sends nothing", "啟動閒置用戶端：只連線、不傳送")),
        bind(.character("o"), .spawnClient(.oob), "o", bar: Localized("oob", "緊急"), rank: 12,
             help: Localized("start an oob client: urgent data, the exceptional set", "啟動緊急資料用戶端：觸發 exceptional")),
        bind(.character("x"), .closeNewestClient, "x", bar: Localized("close", "關閉"), rank: 7,
             help: Localized("close the newest client (the server reads EOF)", "關閉最新的用戶端（伺服器讀到 EOF）")),
        bind(.character("r"), .resetNewestClient, "r", bar: Localized("reset", "重設"), rank: 8,
             help: Localized("reset the newest client: RST, ECONNRESET on the server", "以 RST 重設最新的用戶端（伺服器收到 ECONNRESET）")),
        bind(.space, .pauseOrStep, "space", bar: Localized("step", "單步"), rank: 2,
             help: Localized("pause before the next call; when paused, make one call", "在下次呼叫前暫停；暫停時只執行一次呼叫")),
        bind(.enter, .resume, "enter", bar: Localized("run", "繼續"), rank: 4,
             help: Localized("resume calling continuously", "恢復連續呼叫")),
        bind(.character("b"), .nextBackend, "b", bar: Localized("backend", "後端"), rank: 5,
             help: Localized("next backend: select, poll, epoll", "切換後端：select、poll、epoll")),
        bind(.character("v"), .cycleView, "v", bar: Localized("view", "檢視"), rank: 4,
             help: Localized("right pane: last call, source or output, explain, timeline",
                             "右側窗格切換：上次呼叫、原始碼或輸出、解說、時間軸")),
        KeyBinding(
            actions: [.init(key: .character("+"), command: .fasterClients), .init(key: .character("="), command: .fasterClients),
                      .init(key: .character("-"), command: .slowerClients)],
            label: "+/-", bar: Localized("rate", "頻率"), barRank: 11,
            help: Localized("new clients send more / less often", "新用戶端傳送更頻繁／更少")),
        KeyBinding(
            actions: [.init(key: .up, command: .selectPrevious), .init(key: .down, command: .selectNext)],
            label: "up/down", bar: Localized("select", "選取"), barRank: 14,
            help: Localized("select a connection (the mouse too): marked in every pane; x/r act on its client",
                            "選取一條連線（也可用滑鼠）：各窗格都標出；x/r 作用於它的用戶端")),
        KeyBinding(
            actions: [.init(key: .pageUp, command: .pageUp), .init(key: .pageDown, command: .pageDown),
                      .init(key: .home, command: .scrollHome), .init(key: .end, command: .scrollEnd),
                      .init(key: .character("k"), command: .scrollUp), .init(key: .character("j"), command: .scrollDown)],
            label: "PgUp/PgDn", bar: nil, barRank: 99,
            help: Localized("page the focused pane (log history); Home/End, j/k a line",
                            "翻頁目前窗格（紀錄歷史）；Home/End、j/k 一行")),
        bind(.tab, .focusNext, "tab", bar: nil, rank: 99,
             help: Localized("focus the next pane: log, queues, view, clients", "切換焦點窗格：紀錄、佇列、檢視、用戶端")),
        bind(.character("z"), .zoom, "z", bar: nil, rank: 13,
             help: Localized("zoom the focused pane to the full screen, or back", "把焦點窗格放大到全螢幕，或還原")),
        bind(.character("t"), .nextThread, "t", bar: Localized("thread", "執行緒"), rank: 5,
             help: Localized("a traced program with several loop threads: show the next one's loop",
                             "被追蹤的程式有多個迴圈執行緒時：換看下一個的迴圈")),
        bind(.character("p"), .chooseBreakpoints, "p", bar: Localized("break", "中斷點"), rank: 9,
             help: Localized("breakpoints: pause the moment a short send, close, reset... happens",
                             "中斷點：發生短傳送、關閉、重設…時立刻暫停")),
        bind(.character("?"), .toggleHelp, "?", bar: Localized("help", "說明"), rank: 0,
             help: Localized("show or hide this help (esc closes it too)", "顯示或隱藏本說明（esc 也可關閉）")),
        KeyBinding(
            actions: [.init(key: .character("q"), command: .quit), .init(key: .controlC, command: .quit)],
            label: "q", bar: Localized("quit", "離開"), barRank: 0,
            help: Localized("quit: stop all clients, restore the terminal (Ctrl-C too)", "離開：結束所有用戶端並還原終端機（Ctrl-C 亦可）")),
    ]

    private static func bind(_ key: Key, _ command: Command, _ label: String, bar: Localized?, rank: Int, help: Localized) -> KeyBinding {
        KeyBinding(actions: [.init(key: key, command: command)], label: label, bar: bar, barRank: rank, help: help)
    }

    private static let dispatch: [Key: Command] = {
        var table: [Key: Command] = [:]
        for binding in bindings {
            for action in binding.actions {
                precondition(table[action.key] == nil, "key bound twice: \(action.key)")
                table[action.key] = action.command
            }
        }
        return table
    }()

    /// What a key asks for, or nil for a key the table does not bind.
    public static func command(for key: Key) -> Command? {
        dispatch[key]
    }

    /// The binding a key belongs to.
    public static func binding(for key: Key) -> KeyBinding? {
        bindings.first { $0.keys.contains(key) }
    }
}

extension KeyTable {
    /// The keys a screen offers (bar and help): a traced program's mode and backend are its
    /// own, so their keys are not; the thread key only where there are threads to choose from.
    public static func offered(tracedProgram: Bool, loopThreads: Int) -> [KeyBinding] {
        bindings.filter { binding in
            if tracedProgram && binding.commands.allSatisfy(switchesServer) { return false }
            if loopThreads < 2 && binding.commands == [.nextThread] { return false }
            return true
        }
    }

    private static func switchesServer(_ command: Command) -> Bool {
        switch command {
        case .switchMode, .nextBackend: return true
        default: return false
        }
    }
}
