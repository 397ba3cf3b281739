import ArgumentParser
import SelectCore

@main
struct SelectScope: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selectscope",
        abstract: "Watch a real select() server's checklist live: inputs, outputs, readable, writable, queues.",
        discussion: """
            With no subcommand, opens the dashboard on mode 1, listening on localhost:1234; \
            press ? in it for every key, q to quit. The five modes are the five exercises of \
            the homework (練習1–5); see `selectscope server --help`.

            Dashboard options (`selectscope [options]`, the same as `selectscope dashboard --help`):
              --mode <1-5>            exercise to start on (default 1)
              --host <host>           address to listen on (default localhost)
              --port <port>           port to listen on (default 1234; 0 picks a free one)
              --backend <backend>     select, poll or epoll (default select)
              --queue-cap <bytes>     per-connection queue cap (default 65536)
              --queue-budget <bytes>  all connections' queues together (default 256 MiB)
              --record <file>         record every call as a JSON-lines trace
              --lang <lang>           en or zh-TW (default: from the locale)
              --interval <seconds>    seconds between messages of the clients it starts
              --break <events>        pause on short-send, close, reset, timeout,
                                      exceptional, refused, queue-at-cap, or all

            Shell completion: selectscope --generate-completion-script bash|zsh|fish
            """,
        version: "0.7.0",
        subcommands: [DashboardCommand.self, ServerCommand.self, TraceCommand.self, WatchCommand.self, CheckCommand.self, ClientCommand.self,
                      BenchCommand.self, ReplaySubcommand.self, SeedCommand.self],
        defaultSubcommand: DashboardCommand.self
    )
}
