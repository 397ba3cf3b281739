import ArgumentParser
import Dashboard
import SelectCore
#if canImport(Glibc)
import Glibc
#endif

/// `selectscope` with no subcommand: the live dashboard.
struct DashboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Open the live dashboard (the default).",
        discussion: "Press ? in the dashboard for every key. Without a terminal, use `selectscope server`."
    )

    @OptionGroup var server: ServerOptions

    @Option(name: .long, help: "Record every select() call to FILE as a JSON-lines trace (replay it with `selectscope replay FILE`).")
    var record: String?

    @Option(name: .long, help: "Language of the labels (default: from the locale).")
    var lang: Language?

    @Option(name: .long, parsing: .unconditional, help: "Seconds between messages for the clients the dashboard starts (0.001 to 3600).")
    var interval: Double = 3

    @Option(name: .customLong("break"), help: ArgumentHelp(
        "Pause the loop the moment one of these events happens (comma-separated): short-send, close, reset, timeout, exceptional, refused, queue-at-cap, or all. `p` in the dashboard changes them.",
        valueName: "events"))
    var breakOn: String?

    func validate() throws {
        try OptionCheck.seconds(interval, "--interval", in: 0.001...3600)
        if let breakOn, case .failure(let error) = Breakpoint.parseList(breakOn) {
            throw ValidationError("--break: \(error)")
        }
    }

    func run() throws {
        var config = server.config
        // The log pane shows a preview of each message, taken from the record's events.
        config.payloadCapture = 64
        config.logCapacity = 1000  // the log's history, paged with PgUp/PgDn
        config.measureCost = true
        let language = lang ?? Language(locale: currentLocaleName())
        var breakpoints: Set<Breakpoint> = []
        if let breakOn, case .success(let set) = Breakpoint.parseList(breakOn) { breakpoints = set }
        let dashboard: LiveDashboard
        do {
            dashboard = try LiveDashboard(options: .init(server: config, record: record, language: language, clientInterval: interval,
                                                         breakpoints: breakpoints))
        } catch {
            stderrLine("selectscope: \(error)")
            throw ExitCode(1)
        }
        if let failure = dashboard.run() {
            stderrLine("selectscope: \(failure)")
            throw ExitCode(1)
        }
    }
}

/// LC_ALL, LC_MESSAGES or LANG, the way the C library picks the language.
func currentLocaleName() -> String? {
    for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        if let value = getenv(name), value.pointee != 0 { return String(cString: value) }
    }
    return nil
}
