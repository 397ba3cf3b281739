/// Python's `repr()` of a bytes object, so log lines read exactly as the seed prints them:
/// b'Hello, world', b"it's", b'\x00\n'.
public enum PythonRepr {
    public static func bytes<C: Collection>(_ data: C) -> String where C.Element == UInt8 {
        let hasSingle = data.contains(UInt8(ascii: "'"))
        let hasDouble = data.contains(UInt8(ascii: "\""))
        let quote: UInt8 = (hasSingle && !hasDouble) ? UInt8(ascii: "\"") : UInt8(ascii: "'")
        // Built as bytes and made a String once: a traced program's every recv and send is
        // previewed, and appending to a String scalar by scalar cost more than the ptrace
        // stops themselves.
        var out: [UInt8] = []
        out.reserveCapacity(data.count * 4 + 3)
        out.append(UInt8(ascii: "b"))
        out.append(quote)
        for byte in data {
            switch byte {
            case quote, UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            case UInt8(ascii: "\t"):
                out.append(UInt8(ascii: "\\"))
                out.append(UInt8(ascii: "t"))
            case UInt8(ascii: "\n"):
                out.append(UInt8(ascii: "\\"))
                out.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"):
                out.append(UInt8(ascii: "\\"))
                out.append(UInt8(ascii: "r"))
            case 0x20..<0x7F: out.append(byte)
            default:
                out.append(UInt8(ascii: "\\"))
                out.append(UInt8(ascii: "x"))
                out.append(hexDigit(byte >> 4))
                out.append(hexDigit(byte & 0xf))
            }
        }
        out.append(quote)
        return String(decoding: out, as: UTF8.self)
    }

    /// A lowercase hex digit, as Python and JSON write them.
    static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
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
