import Foundation
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

    /// One JSON object (`bench --json`): the keys `Benchmarks/run.py` reads.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
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

extension BenchReport: Encodable {
    private enum Key: String, CodingKey {
        case connections, connected, size, pipeline, seconds, messages, mismatches, errors, idle
        case connectFailures = "connect_failures", messagesPerSecond = "messages_per_s", megabytesPerSecond = "mb_per_s"
        case roundTrip = "rtt_us", openFileLimit = "open_file_limit"
    }

    private struct RoundTrip: Encodable {
        let p50: Double
        let p99: Double
        let max: Double
    }

    public func encode(to encoder: Encoder) throws {
        /// Three decimals, as the text report gives them; never inf or nan (JSON has neither).
        func rounded(_ value: Double) -> Double { value.isFinite ? (value * 1000).rounded() / 1000 : 0 }
        var object = encoder.container(keyedBy: Key.self)
        try object.encode(connectionsWanted, forKey: .connections)
        try object.encode(connected, forKey: .connected)
        try object.encode(connectFailures, forKey: .connectFailures)
        try object.encode(size, forKey: .size)
        try object.encode(pipeline, forKey: .pipeline)
        try object.encode(rounded(seconds), forKey: .seconds)
        try object.encode(messages, forKey: .messages)
        try object.encode(rounded(messagesPerSecond), forKey: .messagesPerSecond)
        try object.encode(rounded(megabytesPerSecond), forKey: .megabytesPerSecond)
        try object.encode(RoundTrip(p50: rounded(p50Microseconds), p99: rounded(p99Microseconds), max: rounded(maxMicroseconds)), forKey: .roundTrip)
        try object.encode(mismatches, forKey: .mismatches)
        try object.encode(errors, forKey: .errors)
        try object.encode(idleConnected, forKey: .idle)
        try object.encode(openFileLimit, forKey: .openFileLimit)
    }
}
