/// An accepted connection and what the server knows of it.
final class Connection {
    let fd: Int32
    /// Cached at accept, so "closing" names this peer even after the socket is gone.
    let peer: PeerAddress
    var queue = MessageQueue()
    var bytesIn = 0
    var bytesOut = 0
    var inInputs = false
    var inOutputs = false
    /// Out of `inputs` because the queue reached the cap.
    var paused = false
    /// The peer finished sending; close once the queue is sent.
    var closing = false
    /// Seq of the last call that touched it (for the record's `queues` and "busiest").
    var touchedSeq = 0

    init(fd: Int32, peer: PeerAddress) {
        self.fd = fd
        self.peer = peer
    }

    var state: ConnectionRow.State {
        closing ? .closing : (paused ? .paused : .reading)
    }
}
