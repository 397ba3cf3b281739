import ArgumentParser
import SelectCore
import Clients

/// `selectscope client`: the seed's client, and the extra kinds.
struct ClientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Connect and send 'Hello, world' every few seconds, like the seed's clients.",
        discussion: """
            Kinds:
              sender  send every interval, never read (exercise 1)
              echo    send, read the echo, print it as b'Hello, world' (exercises 2–5)
              flood   send as fast as possible and never read (backpressure)
              idle    connect and send nothing
              reset   send once, then close with an RST
              oob     send each message with one byte of urgent data (the exceptional set)
            Echoes go to stdout exactly as the seed prints them; status lines go to stderr.
            """
    )

    @Option(name: .long, help: "sender, echo, flood, idle, reset or oob.")
    var kind: String = "echo"

    @Option(name: .long, help: "Server address.")
    var host: String = "localhost"

    @Option(name: .long, help: "Server port.")
    var port: Int = 1234

    @Option(name: .long, help: "Seconds between messages.")
    var interval: Double = 3

    @Option(name: .long, help: "The message to send.")
    var message: String = "Hello, world"

    @Option(name: .long, help: "Send this many messages, then close.")
    var count: Int?

    @Option(name: .customLong("parent-pid"), help: .hidden)
    var parentPID: Int32?

    func validate() throws {
        guard ClientKind(rawValue: kind) != nil else {
            throw ValidationError("--kind must be one of \(ClientKind.allCases.map(\.rawValue).joined(separator: ", ")) (got '\(kind)')")
        }
        guard interval >= 0 else { throw ValidationError("--interval must not be negative") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        guard !message.isEmpty else { throw ValidationError("--message must not be empty") }
        guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535") }
    }

    func run() throws {
        var config = ClientConfig(kind: ClientKind(rawValue: kind)!, host: host, port: port)
        config.interval = interval
        config.message = message
        config.count = count
        config.parentPID = parentPID
        do {
            let status = try ClientRunner.run(config)
            if status != 0 { throw ExitCode(status) }
        } catch let error as ClientRunner.Failure {
            stderrLine("selectscope client: \(error)")
            throw ExitCode(1)
        }
    }
}
