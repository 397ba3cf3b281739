import ArgumentParser
import SelectCore

/// The options every command that runs a server shares (dashboard and headless).
struct ServerOptions: ParsableArguments {
    @Option(name: .long, help: "Exercise to run, 1–5 (練習1–5).")
    var mode: Int = 1

    @Option(name: .long, help: "Address to listen on.")
    var host: String = "localhost"

    @Option(name: .long, help: "Port to listen on; 0 picks a free one and prints it.")
    var port: Int = 1234

    @Option(name: .long, help: "Readiness call: select, poll or epoll.")
    var backend: String = "select"

    @Option(name: .customLong("queue-cap"), help: "Bytes a connection may have queued before the server stops reading it.")
    var queueCap: Int = 64 * 1024

    @Option(name: .customLong("queue-budget"),
            help: "Bytes all connections together may have queued before the server stops reading any (default: 256 MiB, or an eighth of memory if less).")
    var queueBudget: Int = ServerConfig.defaultQueueBudget

    func validate() throws {
        guard Mode(rawValue: mode) != nil else {
            throw ValidationError("--mode must be 1, 2, 3, 4 or 5 (got \(mode))")
        }
        guard BackendKind(rawValue: backend) != nil else {
            throw ValidationError("--backend must be one of \(BackendKind.allCases.map(\.rawValue).joined(separator: ", ")) (got '\(backend)')")
        }
        guard (0...65535).contains(port) else {
            throw ValidationError("--port must be between 0 and 65535 (got \(port))")
        }
        guard queueCap >= 1024 else {
            throw ValidationError("--queue-cap must be at least 1024 bytes (got \(queueCap))")
        }
        guard queueCap <= ServerConfig.queueLimit else {
            throw ValidationError("--queue-cap must be at most \(ServerConfig.queueLimit) bytes (1 GiB) (got \(queueCap))")
        }
        guard (1024...ServerConfig.queueLimit).contains(queueBudget) else {
            throw ValidationError("--queue-budget must be between 1024 and \(ServerConfig.queueLimit) bytes (1 GiB) (got \(queueBudget))")
        }
    }

    var config: ServerConfig {
        var config = ServerConfig(mode: Mode(rawValue: mode)!, backend: BackendKind(rawValue: backend)!, host: host, port: port)
        config.queueCap = queueCap
        config.queueBudget = queueBudget
        return config
    }
}
