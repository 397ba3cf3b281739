import SelectCore
/// A branch of the seed's server loop: what the source pane highlights for a call.
public enum SeedBranch: String, CaseIterable, Sendable {
    case selectCall = "select"
    case accept
    case receive = "recv"
    /// recv failed (modes 3–5 catch `socket.error`).
    case socketError = "socket-error"
    /// The empty recv (or a failed one): close the connection.
    case close
    case writableSend = "send"
    case queueEmpty = "queue-empty"
    /// Mode 4 catches a reset on the writable path.
    case writableReset = "writable-reset"
    case exceptional
    case timeout
}

/// Where each branch sits in the seed's code for a mode, found by the seed's own lines so
/// the map follows the code rather than hard-coded line numbers.
public struct SourceMap: Sendable {
    public let mode: Mode
    public let lines: [String]
    private let branches: [SeedBranch: [Int]]

    public init(mode: Mode) {
        self.mode = mode
        self.lines = SeedSource.server(for: mode).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var branches: [SeedBranch: [Int]] = [:]
        let finder = BlockFinder(lines: lines)
        if let call = finder.line(containing: "= select(") {
            var range = [call]
            for index in (call + 1)..<min(lines.count, call + 4) where lines[index].contains("print('") && !lines[index].contains("timeout") {
                range.append(index)
            }
            branches[.selectCall] = range
        }
        // The readable loop's head and the way into the connection branch: `for s in
        // readable:`, the `else:` of `if s is server:`, and (modes 3-5) the `try:` around recv.
        let forReadable = finder.line(containing: "for s in readable:").map { [$0] } ?? []
        let ifServer = finder.line(containing: "if s is server:")
        branches[.accept] = forReadable + finder.block(at: ifServer)
        let recvLine = finder.line(containing: "data = s.recv(1024)")
        let ifData = finder.line(containing: "if data:")
        var toRecv = forReadable
        if let ifServer, let elseLine = finder.sibling(after: finder.blockEnd(ifServer), indentOf: ifServer, starting: "else:") {
            toRecv.append(elseLine)
        }
        if let recvLine {
            if let tryLine = finder.enclosingLine(of: recvLine), finder.lines[tryLine].contains("try:") { toRecv.append(tryLine) }
            toRecv.append(recvLine)
        }
        branches[.receive] = toRecv + finder.block(at: ifData)
        branches[.socketError] = toRecv + finder.block(at: finder.line(containing: "except socket.error:"))
        if let ifData {
            // The empty recv ran the recv line and tested `if data:` on its way to `else:`.
            let end = finder.blockEnd(ifData)
            branches[.close] = toRecv + [ifData] + finder.block(at: finder.sibling(after: end, indentOf: ifData, starting: "else:"))
        }
        if let loop = finder.line(containing: "for s in writable:") {
            let head = [loop, loop + 1, loop + 2]
            branches[.queueEmpty] = head + finder.block(at: finder.line(containing: "except IndexError:"))
            branches[.writableReset] = head + finder.block(at: finder.line(containing: "except ConnectionResetError:"))
            let sending = finder.line(containing: "print('sending'")
            let elseLine = sending.flatMap { finder.enclosingLine(of: $0) }
            branches[.writableSend] = head + finder.block(at: elseLine)
        }
        branches[.exceptional] = finder.block(at: finder.line(containing: "for s in exceptional:"))
        branches[.timeout] = finder.block(at: finder.line(containing: "if not (readable or writable or exceptional):"))
        self.branches = branches.filter { !$0.value.isEmpty }
    }

    /// 0-based line numbers of a branch; empty when the mode's code has no such branch.
    public func lines(of branch: SeedBranch) -> [Int] { branches[branch] ?? [] }

    /// The branches one call ran, from what the server did.
    public static func branches(for record: StepRecord) -> [SeedBranch] {
        var result: [SeedBranch] = [.selectCall]
        func add(_ branch: SeedBranch) { if !result.contains(branch) { result.append(branch) } }
        for event in record.events {
            switch event.kind {
            case .accept: add(.accept)
            // The seed would have accepted it (and then failed): the accept branch ran.
            case .refused: add(.accept)
            case .recv: add(.receive)
            case .send: add(event.direct ? .receive : .writableSend)
            case .queueEmpty: add(.queueEmpty)
            case .timeout: add(.timeout)
            case .exceptional, .urgent: add(.exceptional)
            case .close:
                switch event.reason {
                case .error?:
                    // Decided per event: a reset on the writable path of one fd must not hide
                    // the closing branch of another fd's failed recv in the same call.
                    if record.writable.contains(event.fd) && !record.readable.contains(event.fd) {
                        add(.writableReset)
                    } else {
                        add(.socketError)
                        add(.close)
                    }
                case .exceptional?: add(.exceptional)
                default: add(.close)
                }
            default: break
            }
        }
        return result
    }

    /// The 0-based lines the call ran, for highlighting.
    public func highlightedLines(for record: StepRecord) -> Set<Int> {
        var set = Set<Int>()
        for branch in Self.branches(for: record) {
            if branch == .selectCall && mode == .five && !record.isEmptyResult {
                set.formUnion(lines(of: .selectCall))
                continue
            }
            set.formUnion(lines(of: branch))
        }
        return set
    }
}

/// Finds lines and indented blocks in Python source.
struct BlockFinder {
    let lines: [String]

    func indent(_ index: Int) -> Int { lines[index].prefix { $0 == " " }.count }
    func isBlank(_ index: Int) -> Bool { lines[index].allSatisfy { $0 == " " } }

    func line(containing text: String) -> Int? { lines.firstIndex { $0.contains(text) } }

    /// The last line of the block a line opens.
    func blockEnd(_ start: Int) -> Int {
        var end = start
        var index = start + 1
        while index < lines.count {
            if !isBlank(index) {
                if indent(index) <= indent(start) { break }
                end = index
            }
            index += 1
        }
        return end
    }

    /// A line and every deeper-indented line below it.
    func block(at start: Int?) -> [Int] {
        guard let start else { return [] }
        return (start...blockEnd(start)).filter { !isBlank($0) }
    }

    /// The next line after `end` at the same indent as `reference`, if it starts with `prefix`.
    func sibling(after end: Int, indentOf reference: Int, starting prefix: String) -> Int? {
        var index = end + 1
        while index < lines.count && isBlank(index) { index += 1 }
        guard index < lines.count, indent(index) == indent(reference),
              lines[index].drop(while: { $0 == " " }).hasPrefix(prefix) else { return nil }
        return index
    }

    /// The nearest line above with less indent: the statement whose block holds this line.
    func enclosingLine(of index: Int) -> Int? {
        var candidate = index - 1
        while candidate >= 0 {
            if !isBlank(candidate) && indent(candidate) < indent(index) { return candidate }
            candidate -= 1
        }
        return nil
    }
}
