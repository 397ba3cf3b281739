@testable import Dashboard
import SelectCore
import Teaching
import Testing

/// The explain pane: a sentence per explanation, in both languages, by severity.
@Suite struct ExplainPaneTests {
    static let peerA = Fixtures.peer(51236)
    static let peerB = Fixtures.peer(51240)

    /// Every case of `Explanation`, with the call it is said about and its two sentences.
    static let cases: [(Explanation, StepRecord, String, String)] = {
        let plain = Fixtures.record(seq: 5, mode: .four, inputs: [3, 5, 6])
        var timed = Fixtures.record(seq: 6, mode: .five, inputs: [3, 5, 6])
        timed.timeout = 2
        let writable = Fixtures.record(seq: 7, mode: .two, inputs: [3, 6], readable: [6], writable: [6])
        let exceptional = Fixtures.record(seq: 8, mode: .four, inputs: [3, 6], readable: [6], exceptional: [6])
        let modeOne = Fixtures.record(seq: 9, mode: .one, inputs: [3, 6], readable: [6])
        return [
            (.pendingConnection(listener: 3), plain,
             "fd 3 (listener): a connection was waiting; accept() took it", "fd 3（監聽）：有連線在等待，accept() 接下了它"),
            (.bytesWaiting(fd: 5, bytes: 12), plain,
             "fd 5: 12 bytes were waiting in the kernel", "fd 5：核心中有 12 位元組待讀"),
            (.bytesWaiting(fd: 5, bytes: 1024), plain,
             "fd 5: at least 1024 bytes were waiting in the kernel; recv(1024) took 1024",
             "fd 5：核心中至少有 1024 位元組待讀；recv(1024) 取走 1024"),
            (.bytesWaiting(fd: 5, bytes: 1), plain,
             "fd 5: 1 byte was waiting in the kernel", "fd 5：核心中有 1 位元組待讀"),
            (.endOfStream(fd: 6), plain,
             "fd 6: end of stream: recv returned b'' (the peer finished sending)", "fd 6：串流結束，recv 回傳 b''（對方已送完）"),
            (.connectionError(fd: 6, errno: "ECONNRESET"), plain,
             "fd 6: the peer reset the connection (ECONNRESET)", "fd 6：對方重設了連線（ECONNRESET）"),
            (.connectionError(fd: 6, errno: "EPIPE"), plain,
             "fd 6: the connection failed (EPIPE)", "fd 6：連線出錯（EPIPE）"),
            (.roomToSend(fd: 5, sent: 12), plain,
             "fd 5: room in the send buffer; sent 12 bytes", "fd 5：傳送緩衝區有空間，送出 12 位元組"),
            (.urgentData(fd: 7), plain,
             "fd 7: urgent data (MSG_OOB) put it in exceptional; the server read the byte",
             "fd 7：緊急資料（MSG_OOB）讓它出現在 exceptional；伺服器讀出了該位元組"),
            (.timedOut(seconds: 2), timed,
             "nothing was ready for 2.0s: the call timed out", "2.0 秒內沒有任何就緒：呼叫逾時"),
            (.timedOut(seconds: 0), plain,
             "the call came back with nothing ready", "呼叫返回，但沒有任何就緒"),
            (.wokenInternally, plain,
             "woken by the program's own fd (a key or a command), not by a socket", "被程式自己的 fd 喚醒（按鍵或指令），不是 socket"),
            (.writableWithEmptyQueue(fd: 5), plain,
             "fd 5: writable with nothing queued; taken out of outputs, or every call would return at once",
             "fd 5：可寫但佇列是空的，所以移出 outputs；否則每次呼叫都會立刻返回"),
            (.queueAtCap(fd: 5, bytes: 65_536, cap: 65_536), plain,
             "fd 5: queue at its cap (64K of 64K); taken out of inputs until it drains",
             "fd 5：佇列達到上限（64K／64K），移出 inputs 直到送出"),
            (.nearFDSetSize(highest: 1000, limit: 1024), plain,
             "fd 1000 is close to FD_SETSIZE (1024): select cannot watch an fd at or above it",
             "fd 1000 接近 FD_SETSIZE（1024）：select 無法監看大於等於它的 fd"),
            (.nearFDSetSize(highest: 1100, limit: 1024), plain,
             "fd 1100 is past FD_SETSIZE (1024): select cannot watch it; poll and epoll can",
             "fd 1100 超過 FD_SETSIZE（1024）：select 無法監看它；poll 與 epoll 可以"),
            (.refusedAboveFDSetSize(fd: 1030, limit: 1024), plain,
             "fd 1030 is at or above FD_SETSIZE (1024): refused, select cannot hold it",
             "fd 1030 大於等於 FD_SETSIZE（1024）：已拒絕，select 放不下它"),
            (.seedKeyError(fd: 6), writable,
             "fd 6 was closed in the readable loop but is still in writable: message_queues[s] raises KeyError",
             "fd 6 已在 readable 迴圈中關閉，卻仍在 writable 裡：message_queues[s] 引發 KeyError"),
            (.seedKeyError(fd: 6), exceptional,
             "fd 6 was closed in the readable loop but is still in exceptional: s.getpeername() raises OSError",
             "fd 6 已在 readable 迴圈中關閉，卻仍在 exceptional 裡：s.getpeername() 引發 OSError"),
            (.seedShortSend(fd: 5, sent: 1024, requested: 4096), plain,
             "fd 5: send took 1024 of 4096 bytes; the seed ignores the count and loses the rest",
             "fd 5：send 只送出 4096 中的 1024 位元組；範例忽略回傳值，其餘遺失"),
            (.seedShortSend(fd: 5, sent: 0, requested: 4096), plain,
             "fd 5: send would block (0 of 4096 bytes); the seed's s.send raises BlockingIOError",
             "fd 5：send 會阻塞（4096 位元組送出 0）；範例的 s.send 引發 BlockingIOError"),
            (.seedNoReuseAddress(mode: .three), plain,
             "exercise 3 never sets SO_REUSEADDR: restarting it soon fails with \"address already in use\"",
             "練習3 沒有設定 SO_REUSEADDR：馬上重新啟動會出現 address already in use"),
            (.seedWrongClosingAddress(fd: 6, actual: peerA, printed: peerB), plain,
             "fd 6 is 127.0.0.1:51236 but the seed prints closing ('127.0.0.1', 51240): the last accepted address",
             "fd 6 是 127.0.0.1:51236，範例卻印出 closing ('127.0.0.1', 51240)（最後接受的位址）"),
            (.seedUncaughtReset(fd: 6), modeOne,
             "fd 6: exercise 1 has no try around recv: ConnectionResetError kills the server",
             "fd 6：練習1 的 recv 外沒有 try：ConnectionResetError 讓伺服器當掉"),
        ]
    }()

    /// One name per case, by an exhaustive switch: a new case fails to compile here until
    /// it gets its sentences above.
    static func name(_ explanation: Explanation) -> String {
        switch explanation {
        case .pendingConnection: return "pendingConnection"
        case .bytesWaiting: return "bytesWaiting"
        case .endOfStream: return "endOfStream"
        case .connectionError: return "connectionError"
        case .roomToSend: return "roomToSend"
        case .urgentData: return "urgentData"
        case .timedOut: return "timedOut"
        case .wokenInternally: return "wokenInternally"
        case .writableWithEmptyQueue: return "writableWithEmptyQueue"
        case .queueAtCap: return "queueAtCap"
        case .nearFDSetSize: return "nearFDSetSize"
        case .refusedAboveFDSetSize: return "refusedAboveFDSetSize"
        case .seedKeyError: return "seedKeyError"
        case .seedShortSend: return "seedShortSend"
        case .seedNoReuseAddress: return "seedNoReuseAddress"
        case .seedWrongClosingAddress: return "seedWrongClosingAddress"
        case .seedUncaughtReset: return "seedUncaughtReset"
        }
    }

    @Test func everyExplanationHasItsSentenceInBothLanguages() {
        for (explanation, record, english, chinese) in Self.cases {
            let sentence = Sentences.sentence(explanation, in: record)
            #expect(sentence.en == english, "\(explanation)")
            #expect(sentence.zhTW == chinese, "\(explanation)")
        }
        #expect(Set(Self.cases.map { Self.name($0.0) }).count == 17, "every case of Explanation is listed")
    }

    @Test func severityDecidesPrefixAndRole() throws {
        let model = TeachingFixtures.modeTwoCloseSendUrgent(view: .explain)
        let grid = PaneHarness.draw(width: 72, height: 14) { grid, box in
            ExplainPane.draw(RenderContext(model), box: box, on: &grid)
        }
        #expect(grid.trimmedLines == [
            "┌ explain #9 · as recorded ────────────────────────────────────────────┐",
            "│fd 6: end of stream: recv returned b'' (the peer finished sending)    │",
            "│fd 5: room in the send buffer; sent 12 bytes                          │",
            "│fd 7: urgent data (MSG_OOB) put it in exceptional; the server read the│",
            "│  byte                                                                │",
            "│the seed would fail here: fd 6 is 127.0.0.1:51236 but the seed prints │",
            "│  closing ('127.0.0.1', 51240): the last accepted address             │",
            "│the seed would fail here: fd 6 was closed in the readable loop but is │",
            "│  still in writable: message_queues[s] raises KeyError                │",
            "│                                                                      │",
            "│                                                                      │",
            "│                                                                      │",
            "│                                                                      │",
            "└──────────────────────────────────────────────────────────────────────┘",
        ])
        #expect(grid.role(of: "fd 6: end of stream") == .normal)
        #expect(grid.role(of: "the seed would fail here:") == .error)
        #expect(grid.role(of: "fd 6 was closed") == .error)
        #expect(grid.role(of: "still in writable") == .error)  // wrapped lines keep the role
    }

    @Test func warningsAreWarningsAndTheKernelNowIsKeptApartFromTheRecordedCall() {
        let model = TeachingFixtures.modeFourAcceptRecvQueueEmpty(view: .explain)
        let grid = PaneHarness.draw(width: 80, height: 8) { grid, box in
            ExplainPane.draw(RenderContext(model), box: box, on: &grid)
        }
        #expect(grid.trimmedLines == [
            "┌ explain #23 · as recorded ───────────────────────────────────────────────────┐",
            "│fd 3 (listener): a connection was waiting; accept() took it                   │",
            "│fd 6: 12 bytes were waiting in the kernel                                     │",
            "│warning: fd 5: writable with nothing queued; taken out of outputs, or every   │",
            "│  call would return at once                                                   │",
            "│kernel now (live, changes while paused):                                      │",
            "│2 more connections wait in fd 3's accept queue                                │",
            "└──────────────────────────────────────────────────────────────────────────────┘",
        ])
        #expect(grid.role(of: "warning:") == .warning)
        #expect(grid.role(of: "kernel now") == .label)
        // A replay samples no kernel: the recorded sentences alone, no heading.
        var replayed = model
        replayed.server.listenerPending = nil
        let recorded = PaneHarness.draw(width: 80, height: 8) { grid, box in
            ExplainPane.draw(RenderContext(replayed), box: box, on: &grid)
        }
        #expect(!recorded.text.contains("kernel now"), "\(recorded.text)")
    }

    @Test func unreadAndUnacknowledgedBytesAreKernelFacts() {
        let model = TeachingFixtures.modeFiveAcceptEchoClose(view: .explain)
        let text = ExplainPane.items(model.server.lastRecord!, RenderContext(model)).map(\.text)
        #expect(text.contains("fd 5 still has 2048 unread bytes: readable again on the next call"))
        #expect(text.contains("512 bytes sent on fd 5 are not yet acknowledged by the peer"))
        // Nothing said about connections the call did not touch, nor about empty queues.
        #expect(!text.contains { $0.contains("fd 7 still") || $0.contains("accept queue") })
    }

    @Test func aShortPaneKeepsWhereTheSeedFailsAndCountsTheRest() {
        let model = TeachingFixtures.modeTwoCloseSendUrgent(view: .explain)
        // Five sentences need 11 rows at this width; 8 keep the two failures (4 + 3 rows).
        let grid = PaneHarness.draw(width: 50, height: 10) { grid, box in
            ExplainPane.draw(RenderContext(model), box: box, on: &grid)
        }
        #expect(grid.trimmedLines == [
            "┌ explain #9 · as recorded ──────────────────────┐",
            "│the seed would fail here: fd 6 is               │",
            "│  127.0.0.1:51236 but the seed prints closing   │",
            "│  ('127.0.0.1', 51240): the last accepted       │",
            "│  address                                       │",
            "│the seed would fail here: fd 6 was closed in the│",
            "│  readable loop but is still in writable:       │",
            "│  message_queues[s] raises KeyError             │",
            "│… +3 more                                       │",
            "└────────────────────────────────────────────────┘",
        ])
        // With two rows fewer the second failure cannot fit: what does fills in after it.
        let shorter = PaneHarness.draw(width: 50, height: 8) { grid, box in
            ExplainPane.draw(RenderContext(model), box: box, on: &grid)
        }
        #expect(shorter.trimmedLines[1] == "│fd 5: room in the send buffer; sent 12 bytes    │")
        #expect(shorter.trimmedLines[2] == "│the seed would fail here: fd 6 is               │")
        #expect(shorter.trimmedLines[6] == "│… +3 more                                       │")
    }

    @Test func chineseSentencesWrapWithoutBreakingWideCharacters() {
        let model = TeachingFixtures.modeFiveAcceptEchoClose(view: .explain, language: .zhTW)
        let grid = PaneHarness.draw(width: 40, height: 16) { grid, box in
            ExplainPane.draw(RenderContext(model), box: box, on: &grid)
        }
        Snapshot.assertRowsFill(grid)
        let text = grid.text
        #expect(text.contains("解說 #41"))
        #expect(text.contains("範例程式在此會失敗："))
        #expect(text.contains("核心現況（即時，暫停時仍會變）："))
        #expect(grid.role(of: "範例程式在此會失敗：") == .error)
    }

    @Test func beforeTheFirstCallAndAfterAnEmptyOne() {
        var model = TeachingFixtures.modeFiveTimeout(view: .explain)
        let timeout = PaneHarness.draw(width: 60, height: 4) { grid, box in ExplainPane.draw(RenderContext(model), box: box, on: &grid) }
        #expect(timeout.trimmedLines[1] == "│nothing was ready for 2.0s: the call timed out            │")
        model.server.lastRecord?.events = []
        model.server.lastRecord?.readable = [5]
        let quiet = PaneHarness.draw(width: 60, height: 4) { grid, box in ExplainPane.draw(RenderContext(model), box: box, on: &grid) }
        #expect(quiet.trimmedLines[1] == "│nothing to explain                                        │")
        model.server.lastRecord = nil
        let none = PaneHarness.draw(width: 60, height: 4) { grid, box in ExplainPane.draw(RenderContext(model), box: box, on: &grid) }
        #expect(none.trimmedLines[0] == "┌ explain ─────────────────────────────────────────────────┐")
        #expect(none.trimmedLines[1] == "│no call yet                                               │")
    }

    @Test func theSeedsOwnMistakesAreFoundInTheCall() {
        // Exercise 5, first call: it never set SO_REUSEADDR; fd 6 closing would be misnamed.
        var model = TeachingFixtures.modeFiveAcceptEchoClose(view: .explain)
        model.server.lastRecord?.seq = 1
        let items = ExplainPane.items(model.server.lastRecord!, RenderContext(model))
        let failures = items.filter { $0.role == .error }.map(\.text)
        #expect(failures == [
            "fd 6 is 127.0.0.1:51236 but the seed prints closing ('127.0.0.1', 51240): the last accepted address",
            "exercise 5 never sets SO_REUSEADDR: restarting it soon fails with \"address already in use\"",
        ])
        // Reading order: what the call recorded (reasons, warnings, failures), then the kernel now.
        #expect(items.map(\.rank) == items.map(\.rank).sorted { order($0) < order($1) })
    }

    @Test func thousandsOfReadyFdsAreCountedNotAllWorded() {
        let model = Fixtures.tenThousandConnections()
        var record = model.server.lastRecord!
        record.events = record.readable.map { TeachingFixtures.event(.recv, $0, bytes: 12) }
        var big = model
        big.server.lastRecord = record
        big.view = .explain
        let (items, unsaid) = ExplainPane.items(record, RenderContext(big), limit: 9)
        #expect(items.filter { $0.rank == 2 }.count == 9)
        #expect(unsaid == record.readable.count - 9)
        let grid = PaneHarness.draw(width: 60, height: 8) { grid, box in ExplainPane.draw(RenderContext(big), box: box, on: &grid) }
        #expect(grid.trimmedLines[1] == "│fd 5: 12 bytes were waiting in the kernel                 │")
        // 251 sentences: three reasons and the warning (two rows: fds past FD_SETSIZE) fit.
        #expect(grid.trimmedLines[4].hasPrefix("│warning: fd 10004 is past FD_SETSIZE (1024)"))
        #expect(grid.trimmedLines[6] == "│… +247 more                                               │")
    }

    private func order(_ rank: Int) -> Int { [2: 0, 1: 1, 0: 2, 3: 3][rank]! }
}
