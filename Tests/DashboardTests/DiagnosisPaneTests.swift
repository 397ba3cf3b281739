@testable import Dashboard
import SelectCore
import Testing

/// The explain pane's diagnoses of a loop (issue 11): every finding worded in both languages
/// with its evidence, drawn first, red while it goes on and amber once over.
@Suite struct DiagnosisPaneTests {
    /// Every kind and proof of `LoopDiagnosis`, with its two sentences.
    static let cases: [(LoopDiagnosis, String, String)] = [
        (LoopDiagnosis(kind: .writableSpin, fd: 4, since: 12, found: 15, last: 2011, calls: 2000, callsPerSecond: 8412.7),
         "fd 4 spins: writable in 2000 calls in a row since #12 with nothing sent, 8413 calls/s; take it out of outputs once its queue is empty",
         "fd 4 空轉：自 #12 起連續 2000 次呼叫都回傳可寫，卻什麼都沒送，每秒 8413 次；佇列空了就把它移出 outputs"),
        (LoopDiagnosis(kind: .writableSpin, fd: 4, since: 12, found: 15, last: 20, calls: 9, callsPerSecond: 2.5, ongoing: false),
         "fd 4 spun: writable in 9 calls in a row (#12–#20) with nothing sent, 2.5 calls/s",
         "fd 4 曾空轉：#12–#20 連續 9 次呼叫都回傳可寫，卻什麼都沒送，每秒 2.5 次"),
        (LoopDiagnosis(kind: .unsentRest, fd: 5, proof: .otherDataSent(bytes: 12), since: 40, found: 41, calls: 1, bytesLeft: 3072, requested: 4096),
         "fd 5: the send in #40 took 1024 of 4096 bytes and the other 3072 were never sent: #41 sent 12 other bytes instead; keep the rest and send it when fd 5 is writable",
         "fd 5：#40 的 send 只送出 4096 中的 1024 位元組，其餘 3072 位元組從未送出：#41 改送了其他 12 位元組；應保留其餘部分，等 fd 5 可寫時再送"),
        (LoopDiagnosis(kind: .unsentRest, fd: 5, proof: .closedWithRest, since: 40, found: 45, last: 45, calls: 1, bytesLeft: 1024, requested: 1024),
         "fd 5: the send in #40 could send none of its 1024 bytes and they were never sent: fd 5 was closed in #45; keep the rest and send it when fd 5 is writable",
         "fd 5：#40 的 send 的 1024 位元組一個也沒送出，之後也從未補送：fd 5 在 #45 被關閉；應保留其餘部分，等 fd 5 可寫時再送"),
        (LoopDiagnosis(kind: .unsentRest, fd: 5, proof: .notWatched, since: 40, found: 42, last: 90, calls: 3, bytesLeft: 100, requested: 1124),
         "fd 5: the send in #40 took 1024 of 1124 bytes and the other 100 were never sent: by #42 fd 5 was not in outputs and no send retried them (3 times on this connection, last #90); keep the rest and send it when fd 5 is writable",
         "fd 5：#40 的 send 只送出 1124 中的 1024 位元組，其餘 100 位元組從未送出：到 #42 為止 fd 5 不在 outputs 中，也沒有 send 重送（此連線共 3 次，最近 #90）；應保留其餘部分，等 fd 5 可寫時再送"),
        (LoopDiagnosis(kind: .readAfterEOF, fd: 6, proof: .readAgain, since: 30, found: 31, last: 31, calls: 1),
         "fd 6: recv returned b'' in #30 (the peer finished sending), yet the program read it again in 1 call (last #31) instead of closing it",
         "fd 6：#30 的 recv 回傳 b''（對方已送完），程式卻在 1 次呼叫中又讀它（最近 #31），而不是關閉它"),
        (LoopDiagnosis(kind: .readAfterEOF, fd: 6, proof: .keptInInputs, since: 30, found: 31, last: 530, calls: 500, callsPerSecond: 912),
         "fd 6: recv returned b'' in #30 (the peer finished sending), but it stayed in inputs and came back readable at once in 500 calls (last #530, 912 calls/s); close it",
         "fd 6：#30 的 recv 回傳 b''（對方已送完），它卻留在 inputs，500 次呼叫都立刻回傳可讀（最近 #530，每秒 912 次）；應關閉它"),
        (LoopDiagnosis(kind: .noReuseAddress, fd: 3, since: 1, found: 1),
         "fd 3 (listener) was set up without SO_REUSEADDR: restarting the program soon after it stops fails with \"address already in use\"",
         "fd 3（監聽）沒有設定 SO_REUSEADDR：程式停止後馬上重新啟動會出現 address already in use"),
    ]

    /// One name per kind and proof, by exhaustive switches: a new case fails to compile here
    /// until it gets its sentences above.
    static func name(_ d: LoopDiagnosis) -> String {
        let kind: String
        switch d.kind {
        case .writableSpin: kind = "spin"
        case .unsentRest: kind = "rest"
        case .readAfterEOF: kind = "eof"
        case .noReuseAddress: kind = "reuse"
        }
        switch d.proof {
        case .plain: return kind
        case .otherDataSent: return kind + " other"
        case .closedWithRest: return kind + " closed"
        case .notWatched: return kind + " unwatched"
        case .readAgain: return kind + " again"
        case .keptInInputs: return kind + " kept"
        }
    }

    @Test func everyDiagnosisHasItsSentenceInBothLanguages() {
        for (diagnosis, english, chinese) in Self.cases {
            let sentence = DiagnosisSentences.sentence(diagnosis)
            #expect(sentence.en == english, "\(Self.name(diagnosis))")
            #expect(sentence.zhTW == chinese, "\(Self.name(diagnosis))")
        }
        #expect(Set(Self.cases.map { Self.name($0.0) }).count == 7, "every kind and proof is listed")
    }

    /// A traced program's screen, built by the one reducer from its calls: fd 3 listens
    /// without SO_REUSEADDR; fd 5 is read again after its end of stream, then closed; fd 4 is
    /// echoed once and then left in outputs: 2000 calls of spin, 0.12 ms apart.
    static func tracedModel(language: Language = .en, selection: Int32? = nil) -> DashboardModel {
        var reducer = SnapshotReducer(listener: 3)
        var seq = 0
        func call(inputs: [Int32], outputs: [Int32] = [], readable: [Int32] = [], writable: [Int32] = [], _ events: [ServerEvent] = []) {
            seq += 1
            var record = StepRecord()
            record.seq = seq
            record.time = Double(seq) * 0.00012
            record.listener = 3
            record.inputs = inputs
            record.outputs = outputs
            record.readable = readable
            record.writable = writable
            record.events = events
            record.blockedMilliseconds = readable.isEmpty ? 0.01 : 2.1
            record.origin = CallOrigin(pid: 4242, tid: 4242, call: "pselect6", result: readable.count + writable.count, exceptIn: inputs)
            reducer.apply(record)
        }
        func event(_ kind: ServerEvent.Kind, _ fd: Int32, bytes: Int = 0, reason: ServerEvent.CloseReason? = nil) -> ServerEvent {
            ServerEvent(kind: kind, fd: fd, bytes: bytes, requested: bytes, peer: Fixtures.peer(fd == 4 ? 51234 : 51236), reason: reason,
                        payload: bytes > 0 ? Fixtures.hello : nil)
        }
        call(inputs: [3], readable: [3], [ServerEvent(kind: .listen, fd: 3, detail: ServerEvent.withoutReuseAddress), event(.accept, 4)])
        call(inputs: [3, 4], readable: [3], [event(.accept, 5)])
        call(inputs: [3, 4, 5], readable: [5], [event(.recv, 5)])
        call(inputs: [3, 4, 5], readable: [5], [event(.recv, 5), event(.close, 5, reason: .eof)])
        call(inputs: [3, 4], readable: [4], [event(.recv, 4, bytes: 12), event(.send, 4, bytes: 12)])
        for _ in 0..<2000 { call(inputs: [3, 4], outputs: [4], writable: [4]) }
        var status = ProducerStatus()
        status.listenAddress = PeerAddress(host: "127.0.0.1", port: 1234)
        var model = DashboardModel(server: reducer.snapshot(status: status), language: language)
        model.program = "pid 4242  python3 server.py"
        model.view = .explain
        model.selection = selection
        return model
    }

    @Test func diagnosesComeFirstGoingOnBeforeOver() {
        let grid = PaneHarness.draw(width: 72, height: 12) { grid, box in
            ExplainPane.draw(RenderContext(Self.tracedModel()), box: box, on: &grid)
        }
        #expect(grid.trimmedLines == [
            "┌ explain #2005 · as recorded ─────────────────────────────────────────┐",
            "│bug: fd 4 spins: writable in 2000 calls in a row since #6 with nothing│",
            "│  sent, 8333 calls/s; take it out of outputs once its queue is empty  │",
            "│bug: fd 3 (listener) was set up without SO_REUSEADDR: restarting the  │",
            "│  program soon after it stops fails with \"address already in use\"     │",
            "│bug: fd 5: recv returned b'' in #3 (the peer finished sending), yet   │",
            "│  the program read it again in 1 call (last #4) instead of closing it │",
            "│                                                                      │",
            "│                                                                      │",
            "│                                                                      │",
            "│                                                                      │",
            "└──────────────────────────────────────────────────────────────────────┘",
        ], "\(grid.text)")
        #expect(grid.role(of: "bug: fd 4 spins") == .error)
        #expect(grid.role(of: "sent, 8333") == .error)  // wrapped lines keep the role
        #expect(grid.role(of: "bug: fd 5: recv") == .warning, "over: amber")
    }

    @Test func theSelectedConnectionsDiagnosisComesFirstAndAShortPaneKeepsDiagnoses() {
        let items = ExplainPane.items(Self.tracedModel(selection: 4).server.lastRecord!, RenderContext(Self.tracedModel(selection: 4)))
        #expect(items.first?.text.hasPrefix("fd 4 spins") == true, "\(items.map(\.text))")
        let grid = PaneHarness.draw(width: 60, height: 6) { grid, box in
            ExplainPane.draw(RenderContext(Self.tracedModel()), box: box, on: &grid)
        }
        #expect(grid.text.contains("│bug: fd 4 spins:") && grid.text.contains("│… +2 more"), "\(grid.text)")
    }

    @Test func diagnosesInTraditionalChinese() {
        let grid = PaneHarness.draw(width: 72, height: 8) { grid, box in
            ExplainPane.draw(RenderContext(Self.tracedModel(language: .zhTW)), box: box, on: &grid)
        }
        #expect(grid.text.contains("│錯誤：fd 4 空轉：自 #6 起連續 2000"), "\(grid.text)")
        #expect(grid.role(of: "錯誤：fd 4") == .error)
    }

    @Test func theHeaderCountsTheBugsWhateverTheView() {
        var model = Self.tracedModel()
        model.view = .lastCall
        let grid = DashboardRenderer.render(model, width: 120, height: 40)
        #expect(grid.trimmedLines[1].contains("bugs 3"), "\(grid.trimmedLines[1])")
        #expect(grid.role(of: "bugs 3") == .error, "one goes on: red")
        var over = model
        over.server.diagnoses = over.server.diagnoses.map { var d = $0; d.ongoing = false; return d }
        #expect(DashboardRenderer.render(over, width: 120, height: 40).role(of: "bugs 3") == .warning)
        var clean = model
        clean.server.diagnoses = []
        #expect(!DashboardRenderer.render(clean, width: 120, height: 40).trimmedLines[1].contains("bugs"))
    }

    @Test func aTracedProgramsScreenWithDiagnoses() {
        for (width, height) in [(80, 24), (120, 40)] {
            Snapshot.assertMatches(DashboardRenderer.render(Self.tracedModel(), width: width, height: height),
                                   named: "explain-diagnoses-\(width)x\(height)")
        }
        Snapshot.assertMatches(DashboardRenderer.render(Self.tracedModel(language: .zhTW), width: 80, height: 24),
                               named: "zh-TW-explain-diagnoses-80x24")
    }
}
