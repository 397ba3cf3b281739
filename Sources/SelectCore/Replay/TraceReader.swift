import Foundation
#if canImport(Glibc)
import Glibc
#endif

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

/// Each line of a trace is decoded on its own (`TraceLine`, `Decodable`), so the first line
/// that does not decode stops the reading with its line number and the reason, and every
/// line before it replays.
///
/// A trace is untrusted input: every number is range-checked as it is decoded, so a value
/// that could not have come from a server (an fd past Int32, a blocked time of 1e300, byte
/// counts that would add up past Int.max) is damage, never a trap further on.
public enum TraceReader {
    public struct Unreadable: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "cannot read trace \(path): \(reason)" }
    }

    /// How far the reading has got, for a progress line while a large trace loads.
    public struct Progress: Sendable {
        public var bytesRead: Int
        public var totalBytes: Int
        public var records: Int
    }

    /// The ranges a value from a trace must fall in.
    public enum Limits {
        /// Any byte count one event or queue can claim: 1 TiB, far beyond any queue cap.
        public static let bytes = 1 << 40
        /// Seconds (a timestamp, a timeout): about 31 years.
        public static let seconds = 1e9
        /// Milliseconds blocked, microseconds of cost: the same span.
        public static let milliseconds = 1e12
        public static let microseconds = 1e15
        /// Call numbers: far beyond any run, far below where arithmetic on them could overflow.
        public static let seq = 1 << 48
    }

    /// Reads the file at `path`. Says what is wrong with the path itself (missing, a folder,
    /// not a regular file, no permission on it or on a folder above it) before reading.
    public static func read(path: String, progress: ((Progress) -> Void)? = nil) throws -> TraceFile {
        let data = try contents(of: path)
        return parse(data, progress: progress)
    }

    static func contents(of path: String) throws -> Data {
        var info = stat()
        if stat(path, &info) != 0 {
            throw Unreadable(path: path, reason: missingReason(path: path, errno: errno))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw Unreadable(path: path, reason: "it is a directory, not a trace file")
        case S_IFIFO: throw Unreadable(path: path, reason: "it is a FIFO (named pipe), not a regular file; save the trace to a file first")
        case S_IFCHR: throw Unreadable(path: path, reason: "it is a character device, not a regular file")
        case S_IFBLK: throw Unreadable(path: path, reason: "it is a block device, not a regular file")
        case S_IFSOCK: throw Unreadable(path: path, reason: "it is a socket, not a regular file")
        default: throw Unreadable(path: path, reason: "it is not a regular file")
        }
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            throw Unreadable(path: path, reason: code == EACCES ? "permission denied (the file is not readable by this user)" : SystemError("open", errno: code).description)
        }
        defer { Glibc.close(fd) }
        var data = Data(count: max(0, Int(info.st_size)))
        var filled = 0
        while true {
            if filled == data.count { data.count += 1 << 16 }
            let count = data.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Unreadable(path: path, reason: SystemError("read", errno: errno).description)
            }
            if count == 0 { break }
            filled += count
        }
        data.count = filled
        return data
    }

    /// Why `stat` failed, in words: which part of the path is missing or closed.
    static func missingReason(path: String, errno code: Int32) -> String {
        switch code {
        case ENOENT:
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty && access(folder, F_OK) != 0 && errno == ENOENT { return "no such file (its folder \(folder) does not exist either)" }
            return "no such file"
        case EACCES:
            return "permission denied on a folder of its path (\(closedFolder(of: path) ?? (path as NSString).deletingLastPathComponent) cannot be searched by this user)"
        case ENOTDIR:
            return "a part of the path is not a folder"
        case ENAMETOOLONG:
            return "the path is too long"
        case ELOOP:
            return "too many symbolic links in the path"
        default:
            return SystemError("stat", errno: code).description
        }
    }

    /// The first folder of `path` this user may not search (no x permission).
    static func closedFolder(of path: String) -> String? {
        var folder = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/").dropLast() {
            folder += (folder.isEmpty || folder.hasSuffix("/") ? "" : "/") + part
            if access(folder, X_OK) != 0 { return folder }
        }
        return nil
    }

    public static func parse(_ data: Data, progress: ((Progress) -> Void)? = nil) -> TraceFile {
        var file = TraceFile(records: [])
        var lineNumber = 0
        let decoder = JSONDecoder()
        var totals = Totals()
        let step = 1 << 20
        var nextProgress = step
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            let total = bytes.count
            var start = 0
            while start < total {
                let end: Int
                if let found = memchr(bytes.baseAddress! + start, Int32(UInt8(ascii: "\n")), total - start) {
                    end = bytes.baseAddress!.distance(to: UnsafeRawPointer(found))
                } else {
                    end = total
                }
                lineNumber += 1
                let line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
                start = end + 1
                if let progress, end >= nextProgress {
                    progress(Progress(bytesRead: end, totalBytes: total, records: file.records.count))
                    nextProgress = end + step
                }
                if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") }) { continue }
                let decoded: TraceLine
                do {
                    decoded = try decoder.decode(TraceLine.self, from: Data(line))
                } catch {
                    let cut = end == total && (try? JSONSerialization.jsonObject(with: Data(line))) == nil
                    file.damage = "line \(lineNumber): " + (cut ? "cut short (the file ends mid-record)" : describe(error))
                    break
                }
                if let overflow = totals.add(decoded.record) {
                    file.damage = "line \(lineNumber): \(overflow)"
                    break
                }
                if file.listenAddress == nil, let listen = decoded.listen { file.listenAddress = listen }
                file.records.append(decoded.record)
            }
            progress?(Progress(bytesRead: total, totalBytes: total, records: file.records.count))
        }
        return file
    }

    /// Running sums of what the replay adds up, so that no sum of valid values can overflow
    /// further on.
    struct Totals {
        var bytesIn = 0
        var bytesOut = 0
        var events = 0

        /// nil, or why the record would make a sum overflow.
        mutating func add(_ record: StepRecord) -> String? {
            var bytesIn = self.bytesIn, bytesOut = self.bytesOut
            for event in record.events {
                var overflow = false
                switch event.kind {
                case .recv, .urgent: (bytesIn, overflow) = bytesIn.addingReportingOverflow(event.bytes)
                case .send: (bytesOut, overflow) = bytesOut.addingReportingOverflow(event.bytes)
                default: break
                }
                if overflow { return "the byte counts of the events add up past \(Int.max)" }
            }
            self.bytesIn = bytesIn
            self.bytesOut = bytesOut
            events += record.events.count
            return nil
        }
    }

    /// A decoding error as one short reason: where in the line, and what is wrong.
    static func describe(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func place(_ path: [CodingKey]) -> String {
            var out = ""
            for key in path {
                if let index = key.intValue, key.stringValue.hasPrefix("Index") {
                    out += "[\(index)]"
                } else {
                    out += (out.isEmpty ? "" : ".") + key.stringValue
                }
            }
            return out
        }
        switch error {
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "not a JSON object" }
            return "\(place(context.codingPath)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            let path = place(context.codingPath + [key])
            return "not a select() record (no \(path))"
        case .typeMismatch(let type, let context):
            if context.codingPath.isEmpty { return "not a JSON object" }
            return "\(place(context.codingPath)): expected \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "\(place(context.codingPath)): null where \(typeName(type)) was expected"
        @unknown default:
            return "\(error)"
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int32.Type, is Int64.Type: return "an integer"
        case is Double.Type: return "a number"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is [Any].Type: return "a list"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return "a list" }
            if name.hasPrefix("Dictionary") || name.hasPrefix("KeyedDecodingContainer") { return "an object" }
            return name
        }
    }

    /// "127.0.0.1:5000" or "[::1]:5000"; nil unless the port is 0–65535.
    static func parseAddress(_ text: String) -> PeerAddress? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return PeerAddress(host: host, port: port)
    }
}

/// One line of a trace (SPEC §4): a record, and on the first line the listen address.
struct TraceLine: Decodable {
    var record = StepRecord()
    var listen: PeerAddress?

    enum Key: String, CodingKey {
        case seq, t, mode, backend, listener, listen, timeout, inputs, outputs
        case `internal`, internalReady = "internal_ready"
        case readable, writable, exceptional
        case blockedMilliseconds = "blocked_ms", costMicroseconds = "cost_us"
        case hangupWatch = "hangup_watch", hungUp = "hung_up", revents, interrupted
        case events, queues, traced
    }

    init(from decoder: Decoder) throws {
        let object = try decoder.container(keyedBy: Key.self)
        typealias Limits = TraceReader.Limits
        record.seq = try object.number(Int.self, .seq, in: 0...Limits.seq, required: true)!
        record.time = try object.number(Double.self, .t, in: 0...Limits.seconds) ?? 0
        if let mode = try object.number(Int.self, .mode, in: 1...5) { record.mode = Mode(rawValue: mode) ?? .one }
        // A backend this version does not know replays as select: its lists are the same.
        record.backend = try object.decodeIfPresent(String.self, forKey: .backend).flatMap(BackendKind.init(rawValue:)) ?? .select
        record.listener = try object.descriptor(.listener, allowingNone: true) ?? -1
        if let text = try object.decodeIfPresent(String.self, forKey: .listen) { listen = TraceReader.parseAddress(text) }
        record.timeout = try object.number(Double.self, .timeout, in: 0...Limits.seconds)
        record.inputs = try object.descriptors(.inputs, required: true)
        record.outputs = try object.descriptors(.outputs)
        record.internalFDs = try object.descriptors(.internal)
        record.internalReady = try object.descriptors(.internalReady)
        record.readable = try object.descriptors(.readable, required: true)
        record.writable = try object.descriptors(.writable)
        record.exceptional = try object.descriptors(.exceptional)
        record.hangupWatch = try object.descriptors(.hangupWatch)
        record.hungUp = try object.descriptors(.hungUp)
        if object.contains(.revents) {
            var list = try object.nestedUnkeyedContainer(forKey: .revents)
            while !list.isAtEnd { record.returnedEvents.append(try list.decode(ReturnedEventsLine.self).value) }
        }
        record.blockedMilliseconds = try object.number(Double.self, .blockedMilliseconds, in: 0...Limits.milliseconds) ?? 0
        record.costMicroseconds = try object.number(Double.self, .costMicroseconds, in: 0...Limits.microseconds) ?? 0
        record.interrupted = try object.decodeIfPresent(Bool.self, forKey: .interrupted) ?? false
        if object.contains(.events) {
            var list = try object.nestedUnkeyedContainer(forKey: .events)
            while !list.isAtEnd {
                // An event kind this version does not know is skipped, not damage.
                if let event = try list.decode(EventLine.self).event { record.events.append(event) }
            }
        }
        record.origin = try object.decodeIfPresent(OriginLine.self, forKey: .traced)?.origin
        if let queues = try object.decodeIfPresent([String: QueueLine].self, forKey: .queues) {
            for (key, depth) in queues {
                guard let fd = Int32(key), fd >= 0 else {
                    throw DecodingError.dataCorruptedError(forKey: .queues, in: object, debugDescription: "\"\(key)\" is not a file descriptor (0…\(Int32.max))")
                }
                record.queues.append(QueueDepth(fd: fd, messages: depth.messages, bytes: depth.bytes))
            }
            record.queues.sort { $0.fd < $1.fd }
        }
    }
}

/// One of a record's `events`.
struct EventLine: Decodable {
    var event: ServerEvent?

    enum Key: String, CodingKey {
        case kind, fd, bytes, requested, queued, dropped, peer, reason, detail, from, to, direct, data
    }

    init(from decoder: Decoder) throws {
        let object = try decoder.container(keyedBy: Key.self)
        let kindText = try object.decode(String.self, forKey: .kind)
        guard let kind = ServerEvent.Kind(rawValue: kindText) else { return }
        var event = ServerEvent(kind: kind)
        let limit = TraceReader.Limits.bytes
        event.fd = try object.descriptor(.fd, allowingNone: true) ?? -1
        event.bytes = try object.number(Int.self, .bytes, in: 0...limit) ?? object.number(Int.self, .queued, in: 0...limit)
            ?? object.number(Int.self, .dropped, in: 0...limit) ?? 0
        if kind == .send { event.requested = try object.number(Int.self, .requested, in: 0...limit) ?? event.bytes }
        event.peer = try object.decodeIfPresent(String.self, forKey: .peer).flatMap(TraceReader.parseAddress)
        event.reason = try object.decodeIfPresent(String.self, forKey: .reason).flatMap(ServerEvent.CloseReason.init(rawValue:))
        event.detail = try object.decodeIfPresent(String.self, forKey: .detail)
        event.from = try object.decodeIfPresent(String.self, forKey: .from)
        event.to = try object.decodeIfPresent(String.self, forKey: .to)
        event.direct = try object.decodeIfPresent(Bool.self, forKey: .direct) ?? false
        if let data = try object.decodeIfPresent(String.self, forKey: .data) { event.payload = PythonRepr.parseBytes(data) }
        self.event = event
    }
}

/// A traced program's record's `traced`: which process and thread made the call, and how
/// it came back (`TraceEncoder.origin`).
struct OriginLine: Decodable {
    var origin: CallOrigin

    enum Key: String, CodingKey { case pid, tid, call, result, errno, exceptIn = "except_in", damage }

    init(from decoder: Decoder) throws {
        let object = try decoder.container(keyedBy: Key.self)
        let pid = try object.number(Int.self, .pid, in: 0...Int(Int32.max), required: true)!
        let tid = try object.number(Int.self, .tid, in: 0...Int(Int32.max), required: true)!
        origin = CallOrigin(pid: Int32(pid), tid: Int32(tid), call: try object.decode(String.self, forKey: .call),
                            result: try object.number(Int.self, .result, in: -1...Int(Int32.max)) ?? 0,
                            error: try object.decodeIfPresent(String.self, forKey: .errno),
                            exceptIn: try object.descriptors(.exceptIn),
                            damage: try object.decodeIfPresent(String.self, forKey: .damage))
    }
}

/// One entry of a poll/epoll record's `revents`: `[fd, "IN|HUP"]`.
struct ReturnedEventsLine: Decodable {
    var value: ReturnedEvents

    init(from decoder: Decoder) throws {
        var pair = try decoder.unkeyedContainer()
        let fdValue = try pair.decode(Double.self)
        guard let fd = TraceReader.whole(fdValue, in: 0...Int(Int32.max)) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "\(TraceReader.text(fdValue)) is not a file descriptor (0…\(Int32.max))"))
        }
        let text = try pair.decode(String.self)
        guard let events = ReadyEvents(text: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\"\(text)\" is not a list of poll events"))
        }
        value = ReturnedEvents(fd: Int32(fd), events: events)
    }
}

/// One entry of a record's `queues`.
struct QueueLine: Decodable {
    var messages = 0
    var bytes = 0

    enum Key: String, CodingKey { case messages, bytes }

    init(from decoder: Decoder) throws {
        let object = try decoder.container(keyedBy: Key.self)
        messages = try object.number(Int.self, .messages, in: 0...TraceReader.Limits.bytes) ?? 0
        bytes = try object.number(Int.self, .bytes, in: 0...TraceReader.Limits.bytes) ?? 0
    }
}

// Every number is decoded as a Double and checked here: the decoder's own integer decoding
// reports a number too large for its type only as "not valid JSON", without saying where.
// The ranges checked are far below 2^53, where a Double holds every integer exactly.
extension KeyedDecodingContainer {
    /// The number under `key`, which must lie in `range`; nil when absent or null.
    func number(_ type: Double.Type, _ key: Key, in range: ClosedRange<Double>) throws -> Double? {
        guard let value = try decodeIfPresent(Double.self, forKey: key) else { return nil }
        guard range.contains(value) else { throw outOfRange(key, "\(value) is out of range (\(range.lowerBound)…\(range.upperBound))") }
        return value
    }

    /// The whole number under `key`, which must lie in `range`; nil when absent or null.
    func number(_ type: Int.Type, _ key: Key, in range: ClosedRange<Int>, required: Bool = false) throws -> Int? {
        let value = required ? try decode(Double.self, forKey: key) : try decodeIfPresent(Double.self, forKey: key)
        guard let value else { return nil }
        guard let whole = TraceReader.whole(value, in: range) else {
            throw outOfRange(key, "\(TraceReader.text(value)) is out of range (\(range.lowerBound)…\(range.upperBound))")
        }
        return whole
    }

    /// A file descriptor: 0…Int32.max, or -1 for "none" where allowed.
    func descriptor(_ key: Key, allowingNone: Bool) throws -> Int32? {
        guard let value = try decodeIfPresent(Double.self, forKey: key) else { return nil }
        guard let fd = TraceReader.whole(value, in: (allowingNone ? -1 : 0)...Int(Int32.max)) else {
            throw outOfRange(key, "\(TraceReader.text(value)) is not a file descriptor (0…\(Int32.max))")
        }
        return Int32(fd)
    }

    /// A list of file descriptors, each 0…Int32.max; empty when absent (unless required).
    func descriptors(_ key: Key, required: Bool = false) throws -> [Int32] {
        let values = required ? try decode([Double].self, forKey: key) : (try decodeIfPresent([Double].self, forKey: key) ?? [])
        var out: [Int32] = []
        out.reserveCapacity(values.count)
        for (index, value) in values.enumerated() {
            guard let fd = TraceReader.whole(value, in: 0...Int(Int32.max)) else {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath + [key, IndexKey(index)],
                                                        debugDescription: "\(TraceReader.text(value)) is not a file descriptor (0…\(Int32.max))"))
            }
            out.append(Int32(fd))
        }
        return out
    }

    private func outOfRange(_ key: Key, _ reason: String) -> DecodingError {
        DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: reason)
    }
}

extension TraceReader {
    /// `value` as an Int when it is a whole number in `range`.
    static func whole(_ value: Double, in range: ClosedRange<Int>) -> Int? {
        guard value.isFinite, value == value.rounded(), value >= Double(range.lowerBound), value <= Double(range.upperBound) else { return nil }
        return Int(value)
    }

    /// A number as the trace wrote it, near enough: 2147483648, not 2147483648.0.
    static func text(_ value: Double) -> String {
        value.isFinite && value == value.rounded() && abs(value) < 1e18 ? String(Int(value)) : String(value)
    }
}

/// An array index in a coding path, for the damage message ("inputs[3]").
struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.intValue = intValue }
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
