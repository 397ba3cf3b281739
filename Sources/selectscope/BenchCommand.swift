import ArgumentParser
import SelectCore
import LoadGenerator
import Clients
#if canImport(Glibc)
import Glibc
#endif

/// `selectscope bench`: load an echo server and check every byte it sends back.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Open N connections, play ping-pong echo, check every byte, report messages/s, MB/s and round trips.",
        discussion: "Run it against `selectscope server --mode 3` (or 2, 4, 5): mode 1 never echoes."
    )

    @Option(name: .long, help: "Server address.")
    var host: String = "127.0.0.1"

    @Option(name: .long, parsing: .unconditional, help: "Server port.")
    var port: Int = 1234

    @Option(name: .long, parsing: .unconditional, help: "Connections to open (up to 10000).")
    var connections: Int = 10

    @Option(name: .long, parsing: .unconditional, help: "Bytes per message.")
    var size: Int = 64

    @Option(name: .long, parsing: .unconditional, help: "Seconds of load.")
    var duration: Double = 5

    @Option(name: .long, parsing: .unconditional, help: "Messages in flight per connection.")
    var pipeline: Int = 1

    @Option(name: .long, parsing: .unconditional, help: "Extra connections that stay silent (the cost of watching idle fds).")
    var idle: Int = 0

    @Flag(name: .long, help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        try OptionCheck.integer(connections, "--connections", in: 1...10000)
        try OptionCheck.integer(size, "--size", in: 1...(1 << 20), unit: "bytes")
        try OptionCheck.seconds(duration, "--duration", in: 0.001...3600)
        try OptionCheck.integer(idle, "--idle", in: 0...10000)
        try OptionCheck.integer(pipeline, "--pipeline", in: 1...1024)
        try OptionCheck.integer(port, "--port", in: 1...65535)
    }

    func run() throws {
        var config = BenchConfig()
        config.host = host
        config.port = port
        config.connections = connections
        config.size = size
        config.duration = duration
        config.pipeline = pipeline
        config.idle = idle
        let generator = try LoadGenerator(config: config)
        let onTerminal = isatty(STDERR_FILENO) == 1
        let report = generator.run(progress: onTerminal ? { line in
            let writer = LineWriter(fd: STDERR_FILENO)
            writer.append("\r\u{1B}[K" + line)
            writer.flush()
        } : nil)
        if onTerminal { stderrLine("\r\u{1B}[K") }
        print(json ? report.json : report.text)
        if report.connected == 0 {
            stderrLine("selectscope bench: no connection to \(host) port \(port) succeeded; is a server running there?")
            throw ExitCode(1)
        }
        if report.mismatches > 0 { throw ExitCode(2) }
    }
}
