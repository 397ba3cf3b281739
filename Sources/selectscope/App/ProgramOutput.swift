import Dashboard
#if canImport(Glibc)
import Glibc
#endif

/// A started program's stdout and stderr, read from the pipes that replace them so they never
/// write over the screen. The output pane shows both as they arrive, the status line the
/// newest line; the stderr lines are also kept apart, as the last of them say why a program
/// ended (a Python traceback's last lines).
struct ProgramOutput {
    /// The read ends still open: stdout's, stderr's (each closed at its end of file).
    private(set) var fds: [Int32]
    /// The last of both streams, in the order they were read.
    private var text = ""
    private var errorText = ""
    /// `text` as the output pane draws it, made once per read rather than once per frame.
    private(set) var lines: [String] = []
    /// The newest line, for the status line when the pane is not on screen.
    var lastLine: String? { lines.last }
    /// Bytes of stderr kept: enough for a traceback's last lines.
    private static let errorKeep = 4096

    init(stdout: Int32, stderr: Int32) {
        fds = [stdout, stderr].filter { $0 >= 0 }
        self.stdoutFD = stdout
    }

    private let stdoutFD: Int32

    /// Reads what is waiting on `fd` (non-blocking); true when something came.
    mutating func read(from fd: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var text = ""
        while true {
            let count = Glibc.read(fd, &buffer, buffer.count)
            if count == 0 || (count < 0 && errno != EAGAIN && errno != EINTR) {
                // The program and all it started closed it: a readable end of file would
                // wake the screen's wait at once, forever.
                close(fd)
                fds.removeAll { $0 == fd }
                break
            }
            if count < 0 { break }
            text += String(decoding: buffer[0..<count], as: UTF8.self)
        }
        guard !text.isEmpty else { return false }
        self.text += text
        if self.text.utf8.count > 4096 { self.text = String(self.text.suffix(2048)) }
        lines = ProgramOutputPane.lines(of: self.text, limit: 200)
        if fd != stdoutFD {
            errorText += text
            if errorText.utf8.count > Self.errorKeep { errorText = String(errorText.suffix(Self.errorKeep / 2)) }
        }
        return true
    }

    /// Reads whatever every pipe holds (the program has ended: its last words).
    mutating func drain() {
        for fd in fds { _ = read(from: fd) }
    }

    /// The last `count` lines the program wrote to stderr, blank ones left out, made safe to
    /// draw as the pane's are.
    func lastErrorLines(_ count: Int) -> [String] {
        Array(ProgramOutputPane.lines(of: errorText, limit: Self.errorKeep).filter { !$0.allSatisfy(\.isWhitespace) }.suffix(count))
    }
}
