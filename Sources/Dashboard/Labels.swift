import SelectCore
import Clients

/// Every word the panes print, in English and Traditional Chinese. The Python names the
/// seed prints (`inputs`, `readable`, …) stay next to the Chinese: they are what a student
/// types and what the seed's output shows.
public enum Term: CaseIterable, Sendable {
    // Header.
    case mode, backend, calls, timeouts, conns, bytesIn, bytesOut, bugs
    case running, paused, stopped, stepHint
    // Panes.
    case inputs, outputs, lastCall, queues, clients, log, help
    case listener, internalFD, empty, noCallYet, noEvents, noClients
    case outputsUnused, outputsDirect, outputsDrained
    // Last call.
    case readable, writable, exceptional, timeout, blocked, cost, none, nothingReady
    case nextCall, interest, ready, events, revents
    case selectNote, pollNote, epollNote
    // Queues.
    case fd, peer, msgs, queued, state, depth, pausedCount, cap, deepestFirst, queuesUnknown
    case reading, pausedState, closing
    // Clients.
    case pid, kind, lastLine, every, clientRunning, clientStopping, clientExited
    // Overlay and messages.
    case closeHelp, damagedTrace, replayPlaying, replayPaused, replayTitle, recordedNoClients
    // Views: source and explain; the kernel's queues.
    case source, explain, noCallInMode, nothingToExplain
    case programOutput, nothingPrinted, outputNotRecorded
    case seedWouldFail, warningPrefix, diagnosisPrefix
    case kernelUnread, kernelUnsent
    // Timeline.
    case kernelNow, asRecorded
    case legendSet, legendClear, legendTens, legendTitle
    case timeline, callWord
    case legendIn, legendOut, legendReadable, legendWritable, legendBoth, legendExceptional, legendMode

    public var localized: Localized {
        switch self {
        case .mode: return Localized("mode", "模式")
        case .backend: return Localized("backend", "後端")
        case .calls: return Localized("calls", "呼叫")
        case .timeouts: return Localized("timeouts", "逾時")
        case .conns: return Localized("conns", "連線")
        case .bytesIn: return Localized("in", "收")
        case .bytesOut: return Localized("out", "送")
        case .bugs: return Localized("bugs", "錯誤")
        case .running: return Localized("RUNNING", "執行中")
        case .paused: return Localized("PAUSED", "已暫停")
        case .stopped: return Localized("STOPPED", "已停止")
        case .stepHint: return Localized("space: step  enter: resume", "空白鍵：單步  enter：繼續")
        case .inputs: return Localized("inputs", "讀取檢查表 inputs")
        case .outputs: return Localized("outputs", "寫入檢查表 outputs")
        case .lastCall: return Localized("last call", "上次呼叫")
        case .queues: return Localized("queues", "佇列 queues")
        case .clients: return Localized("clients", "用戶端")
        case .log: return Localized("log", "紀錄")
        case .help: return Localized("help", "說明 help")
        case .listener: return Localized("listener", "監聽")
        case .internalFD: return Localized("internal", "內部")
        case .empty: return Localized("empty", "空")
        case .outputsUnused: return Localized("this mode never sends", "本模式從不傳送")
        case .outputsDirect: return Localized("sent directly", "直接回送")
        case .outputsDrained: return Localized("nothing queued to send", "沒有待送資料")
        case .noCallYet: return Localized("no call yet", "尚未呼叫")
        case .noEvents: return Localized("no events yet", "尚無事件")
        case .noClients: return Localized("press c to start a client", "按 c 啟動用戶端")
        case .readable: return Localized("readable", "可讀 readable")
        case .writable: return Localized("writable", "可寫 writable")
        case .exceptional: return Localized("exceptional", "例外 exceptional")
        case .timeout: return Localized("timeout", "逾時 timeout")
        case .blocked: return Localized("blocked", "阻塞")
        case .cost: return Localized("cost", "耗時")
        case .none: return Localized("none", "無")
        case .nothingReady: return Localized("nothing ready", "沒有就緒")
        case .nextCall: return Localized("next call:", "下次呼叫：")
        case .interest: return Localized("interest", "關注")
        case .ready: return Localized("ready", "就緒")
        case .events: return Localized("events", "events")
        case .revents: return Localized("revents", "revents")
        case .selectNote: return Localized("select rewrites its sets in place", "select 就地改寫它的集合")
        case .pollNote: return Localized("whole array goes in; kernel fills revents", "整個陣列傳入；核心填寫 revents")
        case .epollNote: return Localized("the interest list stays in the kernel; only ready fds come back", "關注清單留在核心；只回傳就緒的 fd")
        case .fd: return Localized("fd", "fd")
        case .peer: return Localized("peer", "對方")
        case .msgs: return Localized("msgs", "訊息")
        case .queued: return Localized("queued", "排隊")
        case .state: return Localized("state", "狀態")
        case .depth: return Localized("depth", "深度")
        case .pausedCount: return Localized("full", "已滿")
        case .cap: return Localized("cap", "上限")
        case .deepestFirst: return Localized("deepest first", "最深優先")
        case .queuesUnknown: return Localized("its own queues: unknown (kept in its memory)", "程式自己的佇列：未知（在它的記憶體裡）")
        case .reading: return Localized("reading", "讀取中")
        case .pausedState: return Localized("full", "已滿")
        case .closing: return Localized("closing", "關閉中")
        case .pid: return Localized("pid", "pid")
        case .kind: return Localized("kind", "種類")
        case .lastLine: return Localized("last line", "最後輸出")
        case .every: return Localized("every", "每")
        case .clientRunning: return Localized("running", "執行中")
        case .clientStopping: return Localized("stopping", "停止中")
        case .clientExited: return Localized("exited", "已結束")
        case .closeHelp: return Localized("press ? or esc to close", "按 ? 或 esc 關閉")
        case .damagedTrace: return Localized("damaged trace:", "紀錄檔損毀：")
        case .replayPlaying: return Localized("playing", "播放中")
        case .replayPaused: return Localized("paused", "已暫停")
        case .replayTitle: return Localized("replay", "重播")
        case .recordedNoClients: return Localized("recorded: no client processes", "重播紀錄：沒有用戶端程序")
        case .source: return Localized("source", "原始碼")
        case .explain: return Localized("explain", "解說")
        case .programOutput: return Localized("its output", "程式輸出")
        case .nothingPrinted: return Localized("nothing printed yet", "尚未輸出")
        case .outputNotRecorded: return Localized("a trace keeps the calls, not what the program printed", "紀錄檔只存呼叫，不存程式的輸出")
        case .noCallInMode: return Localized("no call in this mode yet", "本模式尚未呼叫")
        case .nothingToExplain: return Localized("nothing to explain", "沒有需要解說的")
        case .seedWouldFail: return Localized("the seed would fail here:", "範例程式在此會失敗：")
        case .warningPrefix: return Localized("warning:", "注意：")
        case .diagnosisPrefix: return Localized("bug:", "錯誤：")
        // Six columns either way: the queues pane's number width.
        case .kernelUnread: return Localized("rcvq", "核心收")
        case .kernelUnsent: return Localized("sndq", "核心送")
        case .legendSet: return Localized("set", "有設")
        case .legendClear: return Localized("clear", "沒設")
        case .legendTitle: return Localized("what the screen shows", "畫面上的符號")
        case .legendTens: return Localized("bright digit = tens", "亮的數字＝十位數")
        case .asRecorded: return Localized("as recorded", "呼叫當時")
        case .kernelNow: return Localized("kernel now (live, changes while paused):", "核心現況（即時，暫停時仍會變）：")
        case .timeline: return Localized("timeline", "時間軸")
        case .callWord: return Localized("call", "呼叫")
        case .legendIn: return Localized("in", "輸入")
        case .legendOut: return Localized("out", "輸出")
        case .legendReadable: return Localized("read", "可讀")
        case .legendWritable: return Localized("write", "可寫")
        case .legendBoth: return Localized("both", "皆可")
        case .legendExceptional: return Localized("exc", "例外")
        case .legendMode: return Localized("mode", "模式")
        }
    }
}

/// The labels of one language, with the phrases that carry numbers.
public struct Labels: Sendable {
    public let language: Language

    public init(_ language: Language) {
        self.language = language
    }

    public subscript(_ term: Term) -> String { term.localized(language) }

    /// "mode 4" / "模式 4".
    public func mode(_ mode: Mode) -> String { "\(self[.mode]) \(mode.rawValue)" }

    /// The seed's heading for the exercise: "練習4 使用writefds來傳送" in both languages.
    public func seedTitle(_ mode: Mode) -> String { "練習\(mode.rawValue) \(mode.seedTitle)" }

    public func waiting(in call: String) -> String {
        language == .en ? "waiting in \(call)..." : "在 \(call) 中等待..."
    }

    /// What `i` in the fd_set bits means: the program's own fd, set but not in `inputs`.
    public func internalLegend(fd: Int32, long: Bool) -> String {
        switch (language, long) {
        case (.en, true): return "fd \(fd): own wake-up pipe, not in inputs"
        case (.en, false): return "own fd \(fd)"
        case (.zhTW, true): return "fd \(fd)：程式自己的喚醒管道，不在 inputs"
        case (.zhTW, false): return "自用 fd \(fd)"
        }
    }

    /// The queues' cap, per connection: "cap 64K each" / "每條上限 64K".
    public func capEach(_ bytes: String) -> String {
        language == .en ? "cap \(bytes) each" : "每條上限 \(bytes)"
    }

    /// A queue past its cap by part of one recv: "+1.0K over" / "超出 1.0K".
    public func overCap(_ bytes: String) -> String {
        language == .en ? "+\(bytes) over" : "超出 \(bytes)"
    }

    /// The tail of a list cut short: "+12 more".
    public func more(_ count: Int) -> String {
        language == .en ? "+\(count) more" : "還有 \(count) 個"
    }

    public func replay(position: Int, total: Int) -> String {
        language == .en ? "REPLAY call \(position)/\(total)" : "重播 REPLAY 第 \(position)/\(total) 次呼叫"
    }

    /// "2x", "0.25x": a replay's speed, no trailing zeros.
    public func speed(_ value: Double) -> String {
        var text = Format.decimal(value, places: 2)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + "x"
    }

    /// Connections the kernel holds for the listener that no accept() has taken: "2 pending".
    public func pending(_ count: Int) -> String {
        language == .en ? "\(count) pending" : "\(count) 待接受"
    }

    /// The same after the listener's address: " (2 pending)" / "（2 待接受）".
    public func pendingAfter(_ count: Int) -> String {
        language == .en ? " (\(pending(count)))" : "（\(pending(count))）"
    }

    /// A folded run of source lines: "12 lines".
    public func hiddenLines(_ count: Int) -> String {
        language == .en ? (count == 1 ? "1 line" : "\(count) lines") : "\(count) 行"
    }

    /// A sentence after its prefix ("warning: …" / "注意：…"): Chinese needs no space after
    /// its full-width colon.
    public func prefixed(_ prefix: String, _ text: String) -> String {
        language == .en ? prefix + " " + text : prefix + text
    }

    /// The exercise as the source pane names it: the seed's heading, or in English where
    /// the terminal cannot draw Chinese.
    public func exercise(_ mode: Mode, ascii: Bool) -> String {
        ascii ? "exercise \(mode.rawValue): \(mode.englishTitle)" : seedTitle(mode)
    }

    /// Which of a traced program's loop threads the screen shows: "thread 2/3 tid 4243".
    public func thread(tid: Int32, position: Int, of count: Int) -> String {
        language == .zhTW ? "執行緒 \(position)/\(count) tid \(tid)" : "thread \(position)/\(count) tid \(tid)"
    }

    /// The source pane's title: "source 練習4 使用writefds來傳送".
    public func sourceTitle(_ mode: Mode, ascii: Bool) -> String {
        self[.source] + " " + exercise(mode, ascii: ascii)
    }

    public func tooSmall(needWidth: Int, needHeight: Int, width: Int, height: Int) -> String {
        language == .en
            ? "terminal too small: need \(needWidth)x\(needHeight), have \(width)x\(height)"
            : "終端機太小：需要 \(needWidth)x\(needHeight)，目前 \(width)x\(height)"
    }

    public func queueState(_ state: ConnectionRow.State) -> String {
        switch state {
        case .reading: return self[.reading]
        case .paused: return self[.pausedState]
        case .closing: return self[.closing]
        }
    }

    /// How a client ended, from the supervisor's "exit 0" / "signal 15".
    public func exitDescription(_ text: String) -> String {
        guard language == .zhTW else { return text }
        if text.hasPrefix("exit ") { return "結束碼 " + text.dropFirst(5) }
        if text.hasPrefix("signal ") { return "訊號 " + text.dropFirst(7) }
        return text
    }

    public func clientState(_ state: ClientRow.State) -> String {
        switch state {
        case .running: return self[.clientRunning]
        case .stopping: return self[.clientStopping]
        case .exited: return self[.clientExited]
        }
    }
}

/// The one-line messages of the status line, in both languages.
public enum StatusMessage: Sendable, Equatable {
    case startedClient(kind: String, pid: Int32)
    case couldNotStartClient(String)
    case closingClient(pid: Int32, kind: String)
    case noClientToClose
    case resettingClient(pid: Int32, kind: String)
    case noClientToReset
    case clientInterval(Double)
    case traceStops(at: String, calls: Int)
    case endOfTrace
    case typedCall(String)
    case noSuchCall(Int)
    case showingThread(tid: Int32, position: Int, of: Int)
    case oneLoopThread

    public func text(_ language: Language) -> String {
        let zh = language == .zhTW
        switch self {
        case .startedClient(let kind, let pid):
            return zh ? "已啟動 \(kind) 用戶端，pid \(pid)" : "started \(kind) client, pid \(pid)"
        case .couldNotStartClient(let error):
            return zh ? "無法啟動用戶端：\(error)" : "could not start a client: \(error)"
        case .closingClient(let pid, let kind):
            return zh ? "正在關閉用戶端 \(pid)（\(kind)）" : "closing client \(pid) (\(kind))"
        case .noClientToClose:
            return zh ? "沒有可關閉的用戶端" : "no client to close"
        case .resettingClient(let pid, let kind):
            return zh ? "正在重設用戶端 \(pid)（\(kind)）：RST" : "resetting client \(pid) (\(kind)): RST"
        case .noClientToReset:
            return zh ? "沒有可重設的用戶端" : "no client to reset"
        case .clientInterval(let seconds):
            let value = Format.decimal(seconds, places: seconds < 1 ? 2 : 1)
            return zh ? "新的用戶端每 \(value) 秒傳送一次（執行中的不變）" : "new clients send every \(value) s (running ones keep theirs)"
        case .traceStops(let damage, let calls):
            return zh ? "紀錄檔在 \(damage) 中斷；可重播 \(calls) 次呼叫" : "the trace stops at \(damage); \(calls) calls replay"
        case .endOfTrace:
            return zh ? "紀錄檔結束" : "end of the trace"
        case .typedCall(let digits):
            return zh ? "跳到第 \(digits) 次呼叫（enter）" : "jump to call \(digits) (enter)"
        case .noSuchCall(let seq):
            return zh ? "紀錄檔中沒有第 \(seq) 次呼叫" : "no call \(seq) in this trace"
        case .showingThread(let tid, let position, let count):
            return zh ? "顯示執行緒 \(tid) 的迴圈（第 \(position)／\(count) 個）" : "showing thread \(tid)'s loop (\(position) of \(count))"
        case .oneLoopThread:
            return zh ? "只有一個執行緒在呼叫 select/poll/epoll" : "only one thread makes select/poll/epoll calls"
        }
    }
}
