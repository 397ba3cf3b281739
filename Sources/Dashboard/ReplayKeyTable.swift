/// A key of the replay, the words for the bar and the help.
public struct ReplayKeyBinding: Sendable, Equatable {
    public let keys: [Key]
    public let command: @Sendable (Key) -> ReplayCommand?
    public let label: String
    public let bar: Localized?
    public let help: Localized

    public static func == (lhs: ReplayKeyBinding, rhs: ReplayKeyBinding) -> Bool {
        lhs.keys == rhs.keys && lhs.label == rhs.label
    }
}

/// The replay's one table of keys: dispatch, the bar and the help read it.
public enum ReplayKeyTable {
    public static let bindings: [ReplayKeyBinding] = [
        .init(keys: [.space], command: { _ in .playPause }, label: "space", bar: Localized("play", "播放"),
              help: Localized("play or pause", "播放或暫停")),
        .init(keys: [.right, .character("n"), .character(".")], command: { _ in .stepForward }, label: "→/n", bar: Localized("next", "下一步"),
              help: Localized("step forward one call", "前進一次呼叫")),
        .init(keys: [.left, .character("p"), .character(",")], command: { _ in .stepBack }, label: "←/p", bar: Localized("back", "上一步"),
              help: Localized("step back one call", "後退一次呼叫")),
        .init(keys: [.home], command: { _ in .jumpToStart }, label: "home", bar: nil,
              help: Localized("first call", "第一次呼叫")),
        .init(keys: [.end], command: { _ in .jumpToEnd }, label: "end", bar: nil,
              help: Localized("last call", "最後一次呼叫")),
        .init(keys: (0...9).map { .character(Character(String($0))) },
              command: { key in if case .character(let c) = key, let d = c.wholeNumberValue { return .digit(d) }; return nil },
              label: "0-9 enter", bar: Localized("jump", "跳至"),
              help: Localized("type a call number, enter jumps to it", "輸入呼叫編號，enter 跳至該呼叫")),
        .init(keys: [.enter], command: { _ in .jump }, label: "enter", bar: nil,
              help: Localized("jump to the typed call number", "跳至輸入的呼叫編號")),
        .init(keys: [.character("+"), .character("=")], command: { _ in .faster }, label: "+/-", bar: Localized("speed", "速度"),
              help: Localized("play faster / slower (0.25x to 8x)", "播放加快／減慢（0.25x 至 8x）")),
        .init(keys: [.character("-")], command: { _ in .slower }, label: "-", bar: nil,
              help: Localized("play slower", "播放減慢")),
        .init(keys: [.character("?")], command: { _ in .toggleHelp }, label: "?", bar: Localized("help", "說明"),
              help: Localized("show or hide this help", "顯示或隱藏本說明")),
        .init(keys: [.character("q"), .controlC], command: { _ in .quit }, label: "q", bar: Localized("quit", "離開"),
              help: Localized("quit the replay", "離開重播")),
    ]

    public static func command(for key: Key) -> ReplayCommand? {
        for binding in bindings where binding.keys.contains(key) {
            return binding.command(key)
        }
        return nil
    }
}
