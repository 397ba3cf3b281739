import ArgumentParser
import SelectCore

/// The options every command that runs a server shares (dashboard and headless).
struct ServerOptions: ParsableArguments {
    @Option(name: .long, parsing: .unconditional, help: "Exercise to run, 1–5 (練習1–5).")
    var mode: Mode = .one

    @Option(name: .long, help: "Address to listen on.")
    var host: String = "localhost"

    @Option(name: .long, parsing: .unconditional, help: "Port to listen on; 0 picks a free one and prints it.")
    var port: Int = 1234

    @Option(name: .long, help: "Readiness call.")
    var backend: BackendKind = .select

    @Option(name: .customLong("queue-cap"), parsing: .unconditional,
            help: "Bytes a connection may have queued before the server stops reading it (1024 to 1 GiB).")
    var queueCap: Int = 64 * 1024

    @Option(name: .customLong("queue-budget"), parsing: .unconditional,
            help: "Bytes all connections together may have queued before the server stops reading any (1024 to 1 GiB; default: 256 MiB, or an eighth of memory if less).")
    var queueBudget: Int = ServerConfig.defaultQueueBudget

    func validate() throws {
        try OptionCheck.integer(port, "--port", in: 0...65535)
        try OptionCheck.integer(queueCap, "--queue-cap", in: 1024...ServerConfig.queueLimit, unit: "bytes")
        try OptionCheck.integer(queueBudget, "--queue-budget", in: 1024...ServerConfig.queueLimit, unit: "bytes")
    }

    var config: ServerConfig {
        var config = ServerConfig(mode: mode, backend: backend, host: host, port: port)
        config.queueCap = queueCap
        config.queueBudget = queueBudget
        return config
    }
}
