/// One key as the bar and the help overlay show it, from whichever table is in charge: the
/// live dashboard's `KeyTable` or, in a replay, `ReplayKeyTable`. Both screens read the
/// table itself, so neither can promise a key that does nothing.
struct KeyHelp {
    let label: String
    let bar: Localized?
    /// Which bar entries survive a narrow terminal: lower first.
    let rank: Int
    let help: Localized

    static func entries(_ context: RenderContext) -> [KeyHelp] {
        if context.model.replay != nil {
            let ascii = context.model.asciiOnly
            return ReplayKeyTable.bindings.map {
                KeyHelp(label: ascii ? $0.asciiLabel : $0.label, bar: $0.bar, rank: $0.barRank, help: $0.help)
            }
        }
        // A traced program's mode and backend are its own: their keys are not offered; the
        // thread key only where there are threads to choose from.
        let traced = context.model.program != nil
        let threads = context.server.loopThreads.count > 1
        return KeyTable.bindings.filter { binding in
            if traced && binding.commands.allSatisfy(Self.switchesServer) { return false }
            if !threads && binding.commands == [.nextThread] { return false }
            return true
        }
        .map { KeyHelp(label: $0.label, bar: $0.bar, rank: $0.barRank, help: $0.help) }
    }

    private static func switchesServer(_ command: Command) -> Bool {
        switch command {
        case .switchMode, .nextBackend: return true
        default: return false
        }
    }
}
