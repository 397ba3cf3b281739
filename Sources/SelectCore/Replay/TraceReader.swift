import Foundation

/// Reads a trace written by `server --trace` or `--record` back into records. A damaged
/// file is read up to the damage: what came before replays, and `damage` says where and why.
public struct TraceFile: Sendable {
    public var records: [StepRecord]
    /// "line 42: not JSON" — nil when the whole file read cleanly.
    public var damage: String?
    /// The listen address, from the first record of a recording (`TraceRecorder` writes it).
    public var listenAddress: PeerAddress?

    public init(records: [StepRecord], damage: String? = nil, listenAddress: PeerAddress? = nil) {
        self.records = records
        self.damage = damage
        self.listenAddress = listenAddress
    }
}

public enum TraceReader {
    public struct Unreadable: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "cannot read trace \(path): \(reason)" }
    }

    public static func read(path: String) throws -> TraceFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
        }
        return parse(data)
    }

    public static func parse(_ data: Data) -> TraceFile {
        var file = TraceFile(records: [])
        var lineNumber = 0
        let bytes = [UInt8](data)
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            lineNumber += 1
            let line = bytes[start..<end]
            defer { start = end + 1 }
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continue }
            if end == bytes.count && bytes.last != UInt8(ascii: "\n") {
                // A last line without its newline was cut while being written.
                if (try? JSONSerialization.jsonObject(with: Data(line))) == nil {
                    file.damage = "line \(lineNumber): cut short (the file ends mid-record)"
                    break
                }
            }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                file.damage = "line \(lineNumber): not a JSON object"
                break
            }
            if file.listenAddress == nil, let address = object["listen"] as? String { file.listenAddress = parseAddress(address) }
            guard let record = record(from: object) else {
                file.damage = "line \(lineNumber): not a select() record (missing seq, inputs or readable)"
                break
            }
            file.records.append(record)
        }
        return file
    }

    static func record(from object: [String: Any]) -> StepRecord? {
        guard let seq = object["seq"] as? Int,
              let inputs = fds(object["inputs"]),
              let readable = fds(object["readable"]) else { return nil }
        var record = StepRecord()
        record.seq = seq
        record.time = (object["t"] as? Double) ?? 0
        record.mode = (object["mode"] as? Int).flatMap(Mode.init(rawValue:)) ?? .one
        record.backend = (object["backend"] as? String).flatMap(BackendKind.init(rawValue:)) ?? .select
        record.listener = Int32((object["listener"] as? Int) ?? -1)
        record.timeout = object["timeout"] as? Double
        record.inputs = inputs
        record.outputs = fds(object["outputs"]) ?? []
        record.internalFDs = fds(object["internal"]) ?? []
        record.internalReady = fds(object["internal_ready"]) ?? []
        record.readable = readable
        record.writable = fds(object["writable"]) ?? []
        record.exceptional = fds(object["exceptional"]) ?? []
        record.hangupWatch = fds(object["hangup_watch"]) ?? []
        record.hungUp = fds(object["hung_up"]) ?? []
        for case let pair as [Any] in (object["revents"] as? [Any]) ?? [] {
            guard pair.count == 2, let fd = (pair[0] as? Int).flatMap({ Int32(exactly: $0) }), fd >= 0,
                  let text = pair[1] as? String, let events = ReadyEvents(text: text) else { continue }
            record.returnedEvents.append(ReturnedEvents(fd: fd, events: events))
        }
        record.blockedMilliseconds = (object["blocked_ms"] as? Double) ?? 0
        record.costMicroseconds = (object["cost_us"] as? Double) ?? 0
        for case let item as [String: Any] in (object["events"] as? [Any]) ?? [] {
            if let event = event(from: item) { record.events.append(event) }
        }
        if let queues = object["queues"] as? [String: Any] {
            for (key, value) in queues {
                guard let fd = Int32(key), let depth = value as? [String: Any] else { continue }
                record.queues.append(QueueDepth(fd: fd, messages: (depth["messages"] as? Int) ?? 0, bytes: (depth["bytes"] as? Int) ?? 0))
            }
            record.queues.sort { $0.fd < $1.fd }
        }
        return record
    }

    static func event(from object: [String: Any]) -> ServerEvent? {
        guard let kindText = object["kind"] as? String, let kind = ServerEvent.Kind(rawValue: kindText) else { return nil }
        var event = ServerEvent(kind: kind)
        event.fd = Int32((object["fd"] as? Int) ?? -1)
        event.bytes = (object["bytes"] as? Int) ?? (object["queued"] as? Int) ?? (object["dropped"] as? Int) ?? 0
        if kind == .send { event.requested = (object["requested"] as? Int) ?? event.bytes }
        event.peer = (object["peer"] as? String).flatMap(parseAddress)
        event.reason = (object["reason"] as? String).flatMap(ServerEvent.CloseReason.init(rawValue:))
        event.detail = object["detail"] as? String
        event.from = object["from"] as? String
        event.to = object["to"] as? String
        event.direct = (object["direct"] as? Bool) ?? false
        if let data = object["data"] as? String { event.payload = PythonRepr.parseBytes(data) }
        return event
    }

    static func fds(_ value: Any?) -> [Int32]? {
        guard let list = value as? [Any] else { return nil }
        return list.compactMap { ($0 as? Int).map(Int32.init) }
    }

    /// "127.0.0.1:5000" or "[::1]:5000".
    static func parseAddress(_ text: String) -> PeerAddress? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return PeerAddress(host: host, port: port)
    }
}

extension PythonRepr {
    /// The inverse of `bytes(_:)`: b'Hello\n' back to its bytes; nil if it is not a bytes repr.
    public static func parseBytes(_ text: String) -> [UInt8]? {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count >= 3, scalars[0] == "b", scalars[1] == "'" || scalars[1] == "\"", scalars.last == scalars[1] else { return nil }
        var out: [UInt8] = []
        var index = 2
        let end = scalars.count - 1
        while index < end {
            let scalar = scalars[index]
            if scalar == "\\" && index + 1 < end {
                let next = scalars[index + 1]
                switch next {
                case "n": out.append(10); index += 2
                case "r": out.append(13); index += 2
                case "t": out.append(9); index += 2
                case "x" where index + 3 < end + 1:
                    let hex = String(String.UnicodeScalarView(scalars[(index + 2)...(index + 3)]))
                    out.append(UInt8(hex, radix: 16) ?? 0)
                    index += 4
                default: out.append(UInt8(truncatingIfNeeded: next.value)); index += 2
                }
            } else {
                out.append(UInt8(truncatingIfNeeded: scalar.value))
                index += 1
            }
        }
        return out
    }
}
