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

    @Option(name: .long, help: "What the client does (see above).")
    var kind: ClientKind = .echo

    @Option(name: .long, help: "Server address.")
    var host: String = "localhost"

    @Option(name: .long, parsing: .unconditional, help: "Server port.")
    var port: Int = 1234

    @Option(name: .long, parsing: .unconditional, help: "Seconds between messages (0 to 3600).")
    var interval: Double = 3

    @Option(name: .long, help: "The message to send.")
    var message: String = "Hello, world"

    @Option(name: .long, parsing: .unconditional, help: "Send this many messages, then close.")
    var count: Int?

    @Option(name: .customLong("parent-pid"), parsing: .unconditional, help: .hidden)
    var parentPID: Int32?

    func validate() throws {
        try OptionCheck.seconds(interval, "--interval", in: 0...3600)
        if let count { try OptionCheck.integer(count, "--count", in: 1...Int(Int32.max)) }
        guard !message.isEmpty else { throw ValidationError("--message must not be empty") }
        guard message.utf8.count <= 1 << 20 else { throw ValidationError("--message must be at most 1 MiB (got \(message.utf8.count) bytes)") }
        try OptionCheck.integer(port, "--port", in: 1...65535)
        if let parentPID { try OptionCheck.integer(Int(parentPID), "--parent-pid", in: 1...Int(Int32.max)) }
    }

    func run() throws {
        var config = ClientConfig(kind: kind, host: host, port: port)
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
