/// A key of the replay, the words for the bar and the help.
public struct ReplayKeyBinding: Sendable, Equatable {
    public let keys: [Key]
    public let command: @Sendable (Key) -> ReplayCommand?
    /// How the key is written on the bar and in the help ("space", "→/n").
    public let label: String
    /// The label on a terminal that cannot draw arrows (locale not UTF-8).
    public let asciiLabel: String
    /// The bar's short word; nil keeps the key off the bar (help lists it still).
    public let bar: Localized?
    /// Which bar entries survive a narrow terminal: lower first.
    public let barRank: Int
    public let help: Localized

    init(keys: [Key], command: @escaping @Sendable (Key) -> ReplayCommand?, label: String, asciiLabel: String? = nil,
         bar: Localized?, barRank: Int = 50, help: Localized) {
        self.keys = keys
        self.command = command
        self.label = label
        self.asciiLabel = asciiLabel ?? label
        self.bar = bar
        self.barRank = barRank
        self.help = help
    }

    public static func == (lhs: ReplayKeyBinding, rhs: ReplayKeyBinding) -> Bool {
        lhs.keys == rhs.keys && lhs.label == rhs.label
    }
}

/// The replay's one table of keys: dispatch, the bar and the help read it.
public enum ReplayKeyTable {
    public static let bindings: [ReplayKeyBinding] = [
        .init(keys: [.space], command: { _ in .playPause }, label: "space", bar: Localized("play", "播放"), barRank: 1,
              help: Localized("play or pause", "播放或暫停")),
        .init(keys: [.right, .character("n"), .character(".")], command: { _ in .stepForward }, label: "→/n", asciiLabel: "right/n",
              bar: Localized("next", "下一步"), barRank: 1,
              help: Localized("step forward one call", "前進一次呼叫")),
        .init(keys: [.left, .character("p"), .character(",")], command: { _ in .stepBack }, label: "←/p", asciiLabel: "left/p",
              bar: Localized("back", "上一步"), barRank: 1,
              help: Localized("step back one call", "後退一次呼叫")),
        .init(keys: [.home], command: { _ in .jumpToStart }, label: "home", bar: nil,
              help: Localized("jump to the first call", "跳至第一次呼叫")),
        .init(keys: [.end], command: { _ in .jumpToEnd }, label: "end", bar: nil,
              help: Localized("jump to the last call", "跳至最後一次呼叫")),
        .init(keys: (0...9).map { .character(Character(String($0))) } + [.enter],
              command: { key in
                  if case .character(let c) = key, let d = c.wholeNumberValue { return .digit(d) }
                  return key == .enter ? .jump : nil
              },
              label: "0-9 enter", bar: Localized("jump", "跳至"), barRank: 3,
              help: Localized("type a call number, enter jumps to it", "輸入呼叫編號，enter 跳至該呼叫")),
        .init(keys: [.character("+"), .character("="), .character("-")],
              command: { key in key == .character("-") ? .slower : .faster }, label: "+/-",
              bar: Localized("speed", "速度"), barRank: 2,
              help: Localized("play faster / slower (0.25x to 8x)", "播放加快／減慢（0.25x 至 8x）")),
        .init(keys: [.character("v")], command: { _ in .cycleView }, label: "v", bar: Localized("view", "檢視"), barRank: 3,
              help: Localized("cycle the right pane: last call, source, explain, timeline", "切換右側窗格：上次呼叫、原始碼、解說、時間軸")),
        .init(keys: [.character("?")], command: { _ in .toggleHelp }, label: "?", bar: Localized("help", "說明"), barRank: 0,
              help: Localized("show or hide this help (esc closes it too)", "顯示或隱藏本說明（esc 也可關閉）")),
        .init(keys: [.character("q"), .controlC], command: { _ in .quit }, label: "q", bar: Localized("quit", "離開"), barRank: 0,
              help: Localized("quit the replay (Ctrl-C too)", "離開重播（Ctrl-C 亦可）")),
    ]

    public static func command(for key: Key) -> ReplayCommand? {
        for binding in bindings where binding.keys.contains(key) {
            return binding.command(key)
        }
        return nil
    }
}
