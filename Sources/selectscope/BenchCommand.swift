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

    @Option(name: .long, help: "Server port.")
    var port: Int = 1234

    @Option(name: .long, help: "Connections to open (up to 10000).")
    var connections: Int = 10

    @Option(name: .long, help: "Bytes per message.")
    var size: Int = 64

    @Option(name: .long, help: "Seconds of load.")
    var duration: Double = 5

    @Option(name: .long, help: "Messages in flight per connection.")
    var pipeline: Int = 1

    @Option(name: .long, help: "Extra connections that stay silent (the cost of watching idle fds).")
    var idle: Int = 0

    @Flag(name: .long, help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard (1...10000).contains(connections) else { throw ValidationError("--connections must be 1–10000 (got \(connections))") }
        guard (1...(1 << 20)).contains(size) else { throw ValidationError("--size must be 1 byte to 1 MiB (got \(size))") }
        guard duration > 0 && duration <= 3600 else { throw ValidationError("--duration must be between 0 and 3600 seconds") }
        guard (0...10000).contains(idle) else { throw ValidationError("--idle must be 0–10000 (got \(idle))") }
        guard (1...1024).contains(pipeline) else { throw ValidationError("--pipeline must be 1–1024 (got \(pipeline))") }
        guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535") }
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
