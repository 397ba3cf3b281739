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
        return KeyTable.offered(tracedProgram: context.server.tracedProgram, loopThreads: context.server.loopThreads.count)
            .map { KeyHelp(label: $0.label, bar: $0.bar, rank: $0.barRank, help: $0.help) }
    }
}
