import SelectCore
/// What `selectscope bench` runs.
public struct BenchConfig: Sendable {
    public var host = "127.0.0.1"
    public var port = 1234
    public var connections = 10
    /// Bytes per message.
    public var size = 64
    /// Seconds of load after every connection is up.
    public var duration = 5.0
    /// Messages in flight per connection.
    public var pipeline = 1
    /// Extra connections that connect and stay silent: the cost of watching fds that never fire.
    public var idle = 0

    public init() {}
}

/// What a bench run measured.
public struct BenchReport: Sendable, Equatable {
    public var connectionsWanted = 0
    public var connected = 0
    public var connectFailures = 0
    public var size = 0
    public var pipeline = 0
    public var seconds = 0.0
    /// Echoes received whole and checked.
    public var messages = 0
    /// Echoed bytes that differed from what was sent.
    public var mismatches = 0
    /// Connections the server closed or reset during the run.
    public var errors = 0
    public var p50Microseconds = 0.0
    public var p99Microseconds = 0.0
    public var maxMicroseconds = 0.0
    public var openFileLimit = 0
    public var idleConnected = 0

    public var messagesPerSecond: Double { seconds > 0 ? Double(messages) / seconds : 0 }
    public var megabytesPerSecond: Double { seconds > 0 ? Double(messages * size) / seconds / 1e6 : 0 }

    public var json: String {
        func number(_ value: Double) -> String { TraceEncoder.decimal(value, places: 3) }
        return "{\"connections\":\(connectionsWanted),\"connected\":\(connected),\"connect_failures\":\(connectFailures)"
            + ",\"size\":\(size),\"pipeline\":\(pipeline),\"seconds\":\(number(seconds)),\"messages\":\(messages)"
            + ",\"messages_per_s\":\(number(messagesPerSecond)),\"mb_per_s\":\(number(megabytesPerSecond))"
            + ",\"rtt_us\":{\"p50\":\(number(p50Microseconds)),\"p99\":\(number(p99Microseconds)),\"max\":\(number(maxMicroseconds))}"
            + ",\"mismatches\":\(mismatches),\"errors\":\(errors),\"idle\":\(idleConnected),\"open_file_limit\":\(openFileLimit)}"
    }

    public var text: String {
        func fixed(_ value: Double, _ places: Int) -> String { TraceEncoder.decimal(value, places: places) }
        return """
            connections  \(connected)/\(connectionsWanted) connected, \(connectFailures) failed, \(idleConnected) idle
            messages     \(messages) × \(size) B in \(fixed(seconds, 2)) s (pipeline \(pipeline))
            throughput   \(fixed(messagesPerSecond, 0)) messages/s, \(fixed(megabytesPerSecond, 2)) MB/s
            round trip   p50 \(fixed(p50Microseconds, 1)) µs, p99 \(fixed(p99Microseconds, 1)) µs, max \(fixed(maxMicroseconds, 1)) µs
            checked      \(mismatches) mismatched bytes, \(errors) connection errors
            """
    }
}
