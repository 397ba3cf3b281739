/// Python's `repr()` of a bytes object, so log lines read exactly as the seed prints them:
/// b'Hello, world', b"it's", b'\x00\n'.
public enum PythonRepr {
    public static func bytes<C: Collection>(_ data: C) -> String where C.Element == UInt8 {
        let hasSingle = data.contains(UInt8(ascii: "'"))
        let hasDouble = data.contains(UInt8(ascii: "\""))
        let quote: UInt8 = (hasSingle && !hasDouble) ? UInt8(ascii: "\"") : UInt8(ascii: "'")
        var out = "b"
        out.unicodeScalars.append(Unicode.Scalar(quote))
        for byte in data {
            switch byte {
            case quote, UInt8(ascii: "\\"):
                out.append("\\")
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "\t"): out += "\\t"
            case UInt8(ascii: "\n"): out += "\\n"
            case UInt8(ascii: "\r"): out += "\\r"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "\\x"
                let hex = String(byte, radix: 16)
                out += hex.count == 1 ? "0" + hex : hex
            }
        }
        out.unicodeScalars.append(Unicode.Scalar(quote))
        return out
    }

    /// How Python 3 prints a socket in a list: <socket.socket fd=4, family=2, type=1,
    /// proto=0, laddr=('127.0.0.1', 1234), raddr=('127.0.0.1', 50000)>.
    public static func socket(fd: Int32, local: PeerAddress?, remote: PeerAddress?) -> String {
        let family = (local?.host.contains(":") ?? false) ? 10 : 2
        var text = "<socket.socket fd=\(fd), family=\(family), type=1, proto=0"
        if let local { text += ", laddr=\(local.pythonTuple)" }
        if let remote { text += ", raddr=\(remote.pythonTuple)" }
        return text + ">"
    }
}
