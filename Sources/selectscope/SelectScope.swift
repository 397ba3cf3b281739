import ArgumentParser
import SelectCore

@main
struct SelectScope: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selectscope",
        abstract: "Watch a real select() server's checklist live: inputs, outputs, readable, writable, queues.",
        discussion: """
            With no subcommand, opens the dashboard on mode 1. The five modes are the five \
            exercises of the homework (練習1–5); see `selectscope server --help`.
            """,
        subcommands: [DashboardCommand.self, ServerCommand.self, TraceCommand.self, WatchCommand.self, ClientCommand.self, BenchCommand.self, ReplaySubcommand.self, SeedCommand.self, CheckCommand.self],
        defaultSubcommand: DashboardCommand.self
    )
}
