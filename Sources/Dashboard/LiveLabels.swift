import SelectCore

/// The words of the call in flight, interrupted calls, breakpoints and selection (SPEC §6),
/// in both languages. Kept beside `Labels` rather than in its table so the two grow apart
/// without touching each other.
extension Labels {
    private func pick(_ en: String, _ zh: String) -> String { language == .en ? en : zh }

    /// `in select() #7`: the header's and the pane's name for the call in flight.
    public func inFlight(_ call: String, seq: Int) -> String {
        pick("in \(call) #\(seq)", "在 \(call) #\(seq) 中")
    }

    /// `blocked for 12s`, ticking once a second.
    public func blockedFor(_ seconds: Double) -> String {
        pick("blocked for ", "已阻塞 ") + Self.wholeSeconds(seconds)
    }

    /// Mode 5: `1s left` of the timeout.
    public func timeLeft(_ seconds: Double) -> String {
        let left = Int(max(0, seconds).rounded(.up))
        return pick("\(left)s left", "剩 \(left)s")
    }

    /// Where a result row would be: the call has not come back yet.
    public var waitingForResult: String { pick("waiting", "等待中") }

    /// The call was cut short by the program itself, and is made again.
    public var interrupted: String { pick("interrupted", "被中斷") }
    public var interruptedNote: String {
        pick("cut by a key: no result, made again", "被按鍵中斷：無結果，下一步重做")
    }

    /// After the pane's title while the first call is in flight and none has come back.
    public func callInFlight(seq: Int) -> String { pick("call \(seq) in flight", "呼叫 \(seq) 進行中") }

    public var breakpointsTitle: String { pick("pause when…", "發生時暫停…") }
    /// The chooser's keys: one digit per breakpoint offered.
    public func breakpointsHint(count: Int) -> String { pick("1-\(count) toggle · a all · n none · esc closes", "1-\(count) 切換 · a 全部 · n 全不 · esc 關閉") }
    public var breakpointsShort: String { pick("break", "中斷") }
    /// A traced program's end: the title over its last stderr lines, and when it wrote none.
    public var lastStderrLines: String { pick("its last stderr lines", "最後的 stderr 輸出") }
    public var nothingOnStderr: String { pick("(nothing on stderr)", "（stderr 沒有輸出）") }
    public var stderrNotCaptured: String { pick("(attached: its stderr went to its own terminal)", "（附加追蹤：它的 stderr 在它自己的終端機）") }

    public func breakpointName(_ breakpoint: Breakpoint) -> String {
        switch breakpoint {
        case .shortSend: return pick("a short send (fewer bytes sent than asked)", "短傳送（送出少於要求的位元組）")
        case .close: return pick("a connection closes", "連線關閉")
        case .reset: return pick("a peer resets (ECONNRESET)", "用戶端重設（ECONNRESET）")
        case .timeout: return pick("a call times out (mode 5)", "呼叫逾時（練習5）")
        case .exceptional: return pick("an fd comes back exceptional", "fd 出現在 exceptional")
        case .refused: return pick("a connection is refused", "連線被拒絕")
        case .queueAtCap: return pick("a queue reaches its cap (reading stops)", "佇列達到上限（停止讀取）")
        }
    }

    public func selected(_ fd: Int32) -> String { pick("selected fd \(fd)", "已選 fd \(fd)") }

    /// `12s`, `3m05s`: whole seconds, so the text changes once a second.
    static func wholeSeconds(_ seconds: Double) -> String {
        let whole = Int(max(0, seconds))
        if whole < 60 { return "\(whole)s" }
        let minutes = whole / 60
        let rest = whole % 60
        return "\(minutes)m" + (rest < 10 ? "0" : "") + "\(rest)s"
    }
}
