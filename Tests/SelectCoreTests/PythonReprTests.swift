import Testing
import SelectCore

/// The log must read exactly as the homework prints, so these strings were produced by
/// Python 3.11's own `repr()`, not by the code under test.
@Suite("PythonRepr against Python's own repr()")
struct PythonReprTests {
    static let bytesCases: [([UInt8], String)] = [
        ([72, 101, 108, 108, 111, 44, 32, 119, 111, 114, 108, 100], "b'Hello, world'"),
        ([105, 116, 39, 115], "b\"it's\""),
        ([115, 97, 121, 32, 34, 104, 105, 34], "b'say \"hi\"'"),
        ([98, 111, 116, 104, 32, 39, 32, 97, 110, 100, 32, 34], "b'both \\' and \"'"),
        ([0, 10, 13, 9, 92], "b'\\x00\\n\\r\\t\\\\'"),
        ([127, 128, 255], "b'\\x7f\\x80\\xff'"),
        ([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31],
         "b'\\x00\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08\\t\\n\\x0b\\x0c\\r\\x0e\\x0f\\x10\\x11\\x12\\x13\\x14\\x15\\x16\\x17\\x18\\x19\\x1a\\x1b\\x1c\\x1d\\x1e\\x1f'"),
        ([], "b''"),
        ([27, 91, 51, 49, 109], "b'\\x1b[31m'"),
        ([228, 189, 160, 229, 165, 189], "b'\\xe4\\xbd\\xa0\\xe5\\xa5\\xbd'"),
    ]

    @Test("bytes read as Python prints them", arguments: bytesCases)
    func bytes(input: [UInt8], python: String) {
        #expect(PythonRepr.bytes(input) == python)
    }

    @Test("a socket in a list reads as Python prints it")
    func socket() {
        #expect(PythonRepr.socket(fd: 3, local: PeerAddress(host: "127.0.0.1", port: 34797), remote: nil)
                == "<socket.socket fd=3, family=2, type=1, proto=0, laddr=('127.0.0.1', 34797)>")
        #expect(PythonRepr.socket(fd: 5, local: PeerAddress(host: "127.0.0.1", port: 34797), remote: PeerAddress(host: "127.0.0.1", port: 47562))
                == "<socket.socket fd=5, family=2, type=1, proto=0, laddr=('127.0.0.1', 34797), raddr=('127.0.0.1', 47562)>")
    }
}
