/// One JSON object per call, on one line (SPEC §4). Written by hand: the key order is the
/// documented one and nothing is allocated beyond the line itself.
public enum TraceEncoder {
    /// `listen` is written into the record when given (the first record of a file), so a
    /// replay can show the address.
    public static func line(for record: StepRecord, listen: PeerAddress? = nil) -> String {
        var out = "{\"seq\":\(record.seq),\"t\":\(decimal(record.time, places: 6)),\"mode\":\(record.mode.rawValue)"
        out += ",\"backend\":\"\(record.backend.rawValue)\",\"listener\":\(record.listener)"
        if let listen { out += ",\"listen\":\"\(listen)\"" }
        out += ",\"timeout\":" + (record.timeout.map { decimal($0, places: 3) } ?? "null")
        out += ",\"inputs\":" + array(record.inputs)
        out += ",\"outputs\":" + array(record.outputs)
        if !record.internalFDs.isEmpty {
            out += ",\"internal\":" + array(record.internalFDs)
            out += ",\"internal_ready\":" + array(record.internalReady)
        }
        out += ",\"readable\":" + array(record.readable)
        out += ",\"writable\":" + array(record.writable)
        out += ",\"exceptional\":" + array(record.exceptional)
        if !record.hangupWatch.isEmpty || !record.hungUp.isEmpty {
            out += ",\"hangup_watch\":" + array(record.hangupWatch)
            out += ",\"hung_up\":" + array(record.hungUp)
        }
        if record.backend != .select {
            out += ",\"revents\":["
            for (index, returned) in record.returnedEvents.enumerated() {
                if index > 0 { out += "," }
                out += "[\(returned.fd),\"\(returned.events.text)\"]"
            }
            out += "]"
        }
        out += ",\"blocked_ms\":" + decimal(record.blockedMilliseconds, places: 3)
        if record.costMicroseconds > 0 { out += ",\"cost_us\":" + decimal(record.costMicroseconds, places: 2) }
        if record.interrupted { out += ",\"interrupted\":true" }
        if let origin = record.origin { out += ",\"traced\":" + self.origin(origin) }
        out += ",\"events\":["
        if !record.events.isEmpty {
            // The events (a traced program's recvs and sends with their payloads) are most of
            // a busy record: written as bytes, made a String once.
            var bytes: [UInt8] = []
            bytes.reserveCapacity(record.events.count * 192)
            for (index, event) in record.events.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                append(event, to: &bytes)
            }
            out += String(decoding: bytes, as: UTF8.self)
        }
        out += "],\"queues\":{"
        for (index, depth) in record.queues.enumerated() {
            if index > 0 { out += "," }
            out += "\"\(depth.fd)\":{\"messages\":\(depth.messages),\"bytes\":\(depth.bytes)}"
        }
        out += "}}"
        return out
    }

    static func event(_ event: ServerEvent) -> String {
        var bytes: [UInt8] = []
        append(event, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func append(_ event: ServerEvent, to out: inout [UInt8]) {
        func text(_ string: String) {
            var string = string
            string.withUTF8 { out.append(contentsOf: $0) }
        }
        func number(_ key: String, _ value: Int) {
            text(key)
            text(String(value))
        }
        text("{\"kind\":\"")
        text(event.kind.rawValue)
        text("\"")
        if event.fd >= 0 { number(",\"fd\":", Int(event.fd)) }
        switch event.kind {
        case .recv, .urgent:
            number(",\"bytes\":", event.bytes)
        case .send:
            number(",\"bytes\":", event.bytes)
            if event.requested != event.bytes {
                number(",\"requested\":", event.requested)
                text(",\"short\":true")
            }
            if event.direct { text(",\"direct\":true") }
        case .paused, .resumed, .draining, .peerFinished, .overBudget, .underBudget:
            number(",\"queued\":", event.bytes)
        case .close:
            if event.bytes > 0 { number(",\"dropped\":", event.bytes) }
        default:
            break
        }
        if let peer = event.peer {
            text(",\"peer\":\"")
            text(peer.description)
            text("\"")
        }
        if let reason = event.reason {
            text(",\"reason\":\"")
            text(reason.rawValue)
            text("\"")
        }
        func quoted(_ key: String, _ value: String?) {
            guard let value else { return }
            text(key)
            text(escape(value))
            text("\"")
        }
        quoted(",\"detail\":\"", event.detail)
        quoted(",\"from\":\"", event.from)
        quoted(",\"to\":\"", event.to)
        if let payload = event.payload {
            text(",\"data\":\"")
            appendEscapedRepr(payload, to: &out)
            text("\"")
        }
        text("}")
    }

    static func origin(_ origin: CallOrigin) -> String {
        var out = "{\"pid\":\(origin.pid),\"tid\":\(origin.tid),\"call\":\"\(escape(origin.call))\",\"result\":\(origin.result)"
        if let error = origin.error { out += ",\"errno\":\"\(escape(error))\"" }
        if !origin.exceptIn.isEmpty { out += ",\"except_in\":" + array(origin.exceptIn) }
        if let damage = origin.damage { out += ",\"damage\":\"\(escape(damage))\"" }
        return out + "}"
    }

    static func array(_ values: [Int32]) -> String {
        var out = "["
        for (index, value) in values.enumerated() {
            if index > 0 { out += "," }
            out += String(value)
        }
        return out + "]"
    }

    /// A fixed-point number without exponent, as JSON wants it.
    public static func decimal(_ value: Double, places: Int) -> String {
        guard value.isFinite else { return "0" }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int(scaled / scale)
        let fraction = Int(scaled - Double(whole) * scale)
        var fractionText = String(fraction)
        while fractionText.count < places { fractionText = "0" + fractionText }
        return (value < 0 && scaled > 0 ? "-" : "") + "\(whole).\(fractionText)"
    }

    /// `escape(PythonRepr.bytes(payload))` in one pass over the payload: a traced program's
    /// every recv and send carries one, and this was the costliest part of its record.
    static func escapedRepr(_ payload: [UInt8]) -> String {
        var out: [UInt8] = []
        appendEscapedRepr(payload, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func appendEscapedRepr(_ payload: [UInt8], to out: inout [UInt8]) {
        let backslash = UInt8(ascii: "\\"), doubleQuote = UInt8(ascii: "\""), singleQuote = UInt8(ascii: "'")
        let quote = payload.contains(singleQuote) && !payload.contains(doubleQuote) ? doubleQuote : singleQuote
        // Written through a pointer into room for the worst case (5 bytes out per byte in,
        // \\xNN), then trimmed: one growth per payload instead of a check per byte.
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: payload.count * 5 + 8))
        let end = out.withUnsafeMutableBufferPointer { buffer -> Int in
            var at = start
            func put(_ byte: UInt8) {
                buffer[at] = byte
                at += 1
            }
            func escaped(_ byte: UInt8) {
                if byte == backslash || byte == doubleQuote { put(backslash) }
                put(byte)
            }
            put(UInt8(ascii: "b"))
            escaped(quote)
            for byte in payload {
                switch byte {
                case quote, backslash:
                    put(backslash)
                    put(backslash)
                    escaped(byte)
                case UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                    put(backslash)
                    put(backslash)
                    put(byte == UInt8(ascii: "\t") ? UInt8(ascii: "t") : byte == UInt8(ascii: "\n") ? UInt8(ascii: "n") : UInt8(ascii: "r"))
                case 0x20..<0x7F:
                    escaped(byte)
                default:
                    put(backslash)
                    put(backslash)
                    put(UInt8(ascii: "x"))
                    put(PythonRepr.hexDigit(byte >> 4))
                    put(PythonRepr.hexDigit(byte & 0xf))
                }
            }
            escaped(quote)
            return at
        }
        out.removeLast(out.count - end)
    }

    /// The inside of a JSON string: quotes, backslashes and control characters escaped.
    public static func escape(_ text: String) -> String {
        // Byte by byte on the UTF-8 (what needs escaping is ASCII; other bytes pass through
        // whole), and most strings need nothing: this runs for every payload a tracer sees.
        let backslash = UInt8(ascii: "\\")
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == backslash }) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 2)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), backslash:
                out.append(backslash)
                out.append(byte)
            case UInt8(ascii: "\n"):
                out.append(backslash)
                out.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"):
                out.append(backslash)
                out.append(UInt8(ascii: "r"))
            case UInt8(ascii: "\t"):
                out.append(backslash)
                out.append(UInt8(ascii: "t"))
            case 0..<0x20:
                out.append(backslash)
                out.append(UInt8(ascii: "u"))
                out.append(UInt8(ascii: "0"))
                out.append(UInt8(ascii: "0"))
                out.append(PythonRepr.hexDigit(byte >> 4))
                out.append(PythonRepr.hexDigit(byte & 0xf))
            default:
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
