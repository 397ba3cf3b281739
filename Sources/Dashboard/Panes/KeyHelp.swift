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
        // A traced program's mode and backend are its own: their keys are not offered.
        let traced = context.model.program != nil
        return KeyTable.bindings.filter { !traced || !$0.commands.allSatisfy(Self.switchesServer) }
            .map { KeyHelp(label: $0.label, bar: $0.bar, rank: $0.barRank, help: $0.help) }
    }

    private static func switchesServer(_ command: Command) -> Bool {
        switch command {
        case .switchMode, .nextBackend: return true
        default: return false
        }
    }
}
