import SelectCore
import Teaching

/// The explain pane's words: one sentence per `Explanation`, and the kernel's queues as
/// sentences, each in both languages side by side so neither can be forgotten. Severity
/// prefixes ("warning:", "the seed would fail here:") are added by the pane.
enum Sentences {
    /// The most one `recv` takes, in the seed and here (`s.recv(1024)`).
    static let recvSize = 1024

    /// The sentence for one explanation of `record`, the call it explains.
    static func sentence(_ explanation: Explanation, in record: StepRecord) -> Localized {
        switch explanation {
        case .pendingConnection(let listener):
            return Localized("fd \(listener) (listener): a connection was waiting; accept() took it",
                             "fd \(listener)（監聽）：有連線在等待，accept() 接下了它")
        case .bytesWaiting(let fd, let bytes):
            if bytes >= recvSize {
                // recv took all it asks for: there may well be more.
                return Localized("fd \(fd): at least \(bytes) bytes were waiting in the kernel; recv(\(recvSize)) took \(bytes)",
                                 "fd \(fd)：核心中至少有 \(bytes) 位元組待讀；recv(\(recvSize)) 取走 \(bytes)")
            }
            return bytes == 1
                ? Localized("fd \(fd): 1 byte was waiting in the kernel", "fd \(fd)：核心中有 1 位元組待讀")
                : Localized("fd \(fd): \(bytes) bytes were waiting in the kernel", "fd \(fd)：核心中有 \(bytes) 位元組待讀")
        case .endOfStream(let fd):
            return Localized("fd \(fd): end of stream: recv returned b'' (the peer finished sending)",
                             "fd \(fd)：串流結束，recv 回傳 b''（對方已送完）")
        case .connectionError(let fd, let errno):
            return errno == "ECONNRESET"
                ? Localized("fd \(fd): the peer reset the connection (ECONNRESET)", "fd \(fd)：對方重設了連線（ECONNRESET）")
                : Localized("fd \(fd): the connection failed (\(errno))", "fd \(fd)：連線出錯（\(errno)）")
        case .roomToSend(let fd, let sent):
            return Localized("fd \(fd): room in the send buffer; sent \(sent) bytes",
                             "fd \(fd)：傳送緩衝區有空間，送出 \(sent) 位元組")
        case .urgentData(let fd):
            return Localized("fd \(fd): urgent data (MSG_OOB) put it in exceptional; the server read the byte",
                             "fd \(fd)：緊急資料（MSG_OOB）讓它出現在 exceptional；伺服器讀出了該位元組")
        case .timedOut(let seconds):
            guard record.timeout != nil else {
                return Localized("the call came back with nothing ready", "呼叫返回，但沒有任何就緒")
            }
            let shown = Format.decimal(seconds, places: 1)
            return Localized("nothing was ready for \(shown)s: the call timed out", "\(shown) 秒內沒有任何就緒：呼叫逾時")
        case .wokenInternally:
            return Localized("woken by the program's own fd (a key or a command), not by a socket",
                             "被程式自己的 fd 喚醒（按鍵或指令），不是 socket")
        case .writableWithEmptyQueue(let fd):
            return Localized("fd \(fd): writable with nothing queued; taken out of outputs, or every call would return at once",
                             "fd \(fd)：可寫但佇列是空的，所以移出 outputs；否則每次呼叫都會立刻返回")
        case .queueAtCap(let fd, let bytes, let cap):
            let (held, limit) = (Format.bytes(bytes), Format.bytes(cap))
            return Localized("fd \(fd): queue at its cap (\(held) of \(limit)); taken out of inputs until it drains",
                             "fd \(fd)：佇列達到上限（\(held)／\(limit)），移出 inputs 直到送出")
        case .nearFDSetSize(let highest, let limit):
            if Int(highest) >= limit {
                return Localized("fd \(highest) is past FD_SETSIZE (\(limit)): select cannot watch it; poll and epoll can",
                                 "fd \(highest) 超過 FD_SETSIZE（\(limit)）：select 無法監看它；poll 與 epoll 可以")
            }
            return Localized("fd \(highest) is close to FD_SETSIZE (\(limit)): select cannot watch an fd at or above it",
                             "fd \(highest) 接近 FD_SETSIZE（\(limit)）：select 無法監看大於等於它的 fd")
        case .refusedAboveFDSetSize(let fd, let limit):
            return Localized("fd \(fd) is at or above FD_SETSIZE (\(limit)): refused, select cannot hold it",
                             "fd \(fd) 大於等於 FD_SETSIZE（\(limit)）：已拒絕，select 放不下它")
        case .seedKeyError(let fd):
            // Which list still holds the closed socket decides what the seed trips over.
            if record.writable.contains(fd) {
                return Localized("fd \(fd) was closed in the readable loop but is still in writable: message_queues[s] raises KeyError",
                                 "fd \(fd) 已在 readable 迴圈中關閉，卻仍在 writable 裡：message_queues[s] 引發 KeyError")
            }
            return Localized("fd \(fd) was closed in the readable loop but is still in exceptional: s.getpeername() raises OSError",
                             "fd \(fd) 已在 readable 迴圈中關閉，卻仍在 exceptional 裡：s.getpeername() 引發 OSError")
        case .seedShortSend(let fd, let sent, let requested):
            if sent == 0 {
                return Localized("fd \(fd): send would block (0 of \(requested) bytes); the seed's s.send raises BlockingIOError",
                                 "fd \(fd)：send 會阻塞（\(requested) 位元組送出 0）；範例的 s.send 引發 BlockingIOError")
            }
            return Localized("fd \(fd): send took \(sent) of \(requested) bytes; the seed ignores the count and loses the rest",
                             "fd \(fd)：send 只送出 \(requested) 中的 \(sent) 位元組；範例忽略回傳值，其餘遺失")
        case .seedNoReuseAddress(let mode):
            return Localized("exercise \(mode.rawValue) never sets SO_REUSEADDR: restarting it soon fails with \"address already in use\"",
                             "練習\(mode.rawValue) 沒有設定 SO_REUSEADDR：馬上重新啟動會出現 address already in use")
        case .seedWrongClosingAddress(let fd, let actual, let printed):
            return Localized("fd \(fd) is \(actual) but the seed prints closing \(printed.pythonTuple): the last accepted address",
                             "fd \(fd) 是 \(actual)，範例卻印出 closing \(printed.pythonTuple)（最後接受的位址）")
        case .seedUncaughtReset(let fd):
            let mode = record.mode.rawValue
            return Localized("fd \(fd): exercise \(mode) has no try around recv: ConnectionResetError kills the server",
                             "fd \(fd)：練習\(mode) 的 recv 外沒有 try：ConnectionResetError 讓伺服器當掉")
        }
    }

    /// Connections the listener's accept queue still holds after the call.
    static func listenerPending(_ listener: Int32, _ count: Int) -> Localized {
        count == 1
            ? Localized("1 more connection waits in fd \(listener)'s accept queue", "fd \(listener) 的 accept 佇列還有 1 個連線在等")
            : Localized("\(count) more connections wait in fd \(listener)'s accept queue", "fd \(listener) 的 accept 佇列還有 \(count) 個連線在等")
    }

    /// Bytes recv has not taken yet: the fd will be readable again on the next call.
    static func kernelUnread(_ fd: Int32, _ bytes: Int) -> Localized {
        Localized("fd \(fd) still has \(bytes) unread bytes: readable again on the next call",
                  "fd \(fd) 仍有 \(bytes) 位元組未讀，下次呼叫仍可讀")
    }

    /// Bytes sent that the peer has not acknowledged yet (SIOCOUTQ).
    static func kernelUnsent(_ fd: Int32, _ bytes: Int) -> Localized {
        Localized("\(bytes) bytes sent on fd \(fd) are not yet acknowledged by the peer",
                  "fd \(fd) 已送出的 \(bytes) 位元組尚未被對方確認")
    }
}
