import ArgumentParser
import SelectCore

/// `selectscope` with no subcommand: the live dashboard.
struct DashboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Open the live dashboard (the default)."
    )

    @OptionGroup var server: ServerOptions

    func run() throws {
        stderrLine("selectscope: the dashboard is not built yet; use `selectscope server`")
        throw ExitCode(1)
    }
}
