import SelectCore

/// The words for a `LoopDiagnosis`, in both languages side by side: the explain pane's
/// diagnoses, and (in English) the headless trace log's line when one is first found. Each
/// names the fd and the call numbers, so a student can find the moment in the log and the
/// timeline, and says what the fix is.
public enum DiagnosisSentences {
    public static func sentence(_ d: LoopDiagnosis) -> Localized {
        let fd = d.fd
        switch d.kind {
        case .writableSpin:
            let rate = d.callsPerSecond.map { Localized(", \(perSecond($0)) calls/s", "，每秒 \(perSecond($0)) 次") }
            if d.ongoing {
                return Localized(
                    "fd \(fd) spins: writable in \(d.calls) calls in a row since #\(d.since) with nothing sent\(rate?.en ?? ""); take it out of outputs once its queue is empty",
                    "fd \(fd) 空轉：自 #\(d.since) 起連續 \(d.calls) 次呼叫都回傳可寫，卻什麼都沒送\(rate?.zhTW ?? "")；佇列空了就把它移出 outputs")
            }
            return Localized(
                "fd \(fd) spun: writable in \(d.calls) calls in a row (#\(d.since)–#\(d.last)) with nothing sent\(rate?.en ?? "")",
                "fd \(fd) 曾空轉：#\(d.since)–#\(d.last) 連續 \(d.calls) 次呼叫都回傳可寫，卻什麼都沒送\(rate?.zhTW ?? "")")
        case .unsentRest:
            let sent = d.requested - d.bytesLeft
            let how: Localized
            switch d.proof {
            case .otherDataSent(let bytes):
                how = Localized("#\(d.found) sent \(bytes) other bytes instead", "#\(d.found) 改送了其他 \(bytes) 位元組")
            case .closedWithRest:
                how = Localized("fd \(fd) was closed in #\(d.found)", "fd \(fd) 在 #\(d.found) 被關閉")
            default:
                how = Localized("by #\(d.found) fd \(fd) was not in outputs and no send retried them",
                                "到 #\(d.found) 為止 fd \(fd) 不在 outputs 中，也沒有 send 重送")
            }
            let again = d.calls > 1
                ? Localized(" (\(d.calls) times on this connection, last #\(d.last))", "（此連線共 \(d.calls) 次，最近 #\(d.last)）")
                : Localized("", "")
            let what = sent == 0
                ? Localized("the send in #\(d.since) could send none of its \(d.requested) bytes and they were never sent",
                            "#\(d.since) 的 send 的 \(d.requested) 位元組一個也沒送出，之後也從未補送")
                : Localized("the send in #\(d.since) took \(sent) of \(d.requested) bytes and the other \(d.bytesLeft) were never sent",
                            "#\(d.since) 的 send 只送出 \(d.requested) 中的 \(sent) 位元組，其餘 \(d.bytesLeft) 位元組從未送出")
            return Localized(
                "fd \(fd): \(what.en): \(how.en)\(again.en); keep the rest and send it when fd \(fd) is writable",
                "fd \(fd)：\(what.zhTW)：\(how.zhTW)\(again.zhTW)；應保留其餘部分，等 fd \(fd) 可寫時再送")
        case .readAfterEOF:
            let rate = d.callsPerSecond.map { Localized(", \(perSecond($0)) calls/s", "，每秒 \(perSecond($0)) 次") }
            if d.proof == .readAgain {
                return Localized(
                    "fd \(fd): recv returned b'' in #\(d.since) (the peer finished sending), yet the program read it again in \(d.calls) \(d.calls == 1 ? "call" : "calls") (last #\(d.last)) instead of closing it",
                    "fd \(fd)：#\(d.since) 的 recv 回傳 b''（對方已送完），程式卻在 \(d.calls) 次呼叫中又讀它（最近 #\(d.last)），而不是關閉它")
            }
            return Localized(
                "fd \(fd): recv returned b'' in #\(d.since) (the peer finished sending), but it stayed in inputs and came back readable at once in \(d.calls) \(d.calls == 1 ? "call" : "calls") (last #\(d.last)\(rate?.en ?? "")); close it",
                "fd \(fd)：#\(d.since) 的 recv 回傳 b''（對方已送完），它卻留在 inputs，\(d.calls) 次呼叫都立刻回傳可讀（最近 #\(d.last)\(rate?.zhTW ?? "")）；應關閉它")
        case .noReuseAddress:
            return Localized(
                "fd \(fd) (listener) was set up without SO_REUSEADDR: restarting the program soon after it stops fails with \"address already in use\"",
                "fd \(fd)（監聽）沒有設定 SO_REUSEADDR：程式停止後馬上重新啟動會出現 address already in use")
        }
    }

    /// A rate as people read it: whole numbers from 10 up, one decimal below.
    static func perSecond(_ rate: Double) -> String {
        rate >= 10 ? String(Int(min(rate, 1e12).rounded())) : Format.decimal(rate, places: 1)
    }
}
