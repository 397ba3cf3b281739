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
    /// Out of `inputs` because the queue reached the cap or all queues the budget.
    var paused = false
    /// The peer finished sending; close once the queue is sent.
    var closing = false
    /// Paused when its peer's FIN came (seen by the hangup watch, in a mode that sends): the
    /// rest is read, and the EOF found, once it is read again.
    var peerFinished = false
    /// How the backend watches it for the peer going while it is not read.
    var watch = HangupWatch.none
    /// TCP keepalive is on (set at the first pause).
    var keepAliveSet = false
    /// Closed by the server: no longer in any list.
    var closed = false
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
