/// The checks, by the ids the JSON report, the JUnit report and the table use. The ids are
/// part of the interface: a script that reads `--json` keys on them.
public enum CheckID: String, CaseIterable, Sendable, Codable {
    // Behaviour: what exercise N asks.
    case listens, accepts
    case multiClient = "multi-client"
    case echo
    case neverSends = "never-sends"
    case writefds
    case directSend = "direct-send"
    case timeout, close
    case noSpin = "no-spin"
    // Robustness: what the homework's own code does not survive.
    case sendThenClose = "send-then-close"
    case reset
    case slowReader = "slow-reader"
    case shortSend = "short-send"
    case restart
    case manyClients = "many-clients"

    public enum Kind: String, Sendable, Codable {
        case behaviour, robustness
    }

    public var kind: Kind {
        switch self {
        case .listens, .accepts, .multiClient, .echo, .neverSends, .writefds, .directSend, .timeout, .close, .noSpin:
            return .behaviour
        case .sendThenClose, .reset, .slowReader, .shortSend, .restart, .manyClients:
            return .robustness
        }
    }

    /// The checks that apply to an exercise, in the order they are reported.
    public static func checks(for exercise: Exercise) -> [CheckID] {
        var ids: [CheckID] = [.listens, .accepts, .multiClient]
        ids.append(exercise.echoes ? .echo : .neverSends)
        switch exercise.replies {
        case .never: break
        case .throughWritefds: ids.append(.writefds)
        case .fromReadBranch: ids.append(.directSend)
        }
        ids += [.timeout, .close, .noSpin]
        ids += [.sendThenClose, .reset, .slowReader]
        if exercise.echoes { ids.append(.shortSend) }
        ids += [.restart, .manyClients]
        return ids
    }

    /// A short column title for the table.
    public var columnTitle: String {
        switch self {
        case .listens: return "listen"
        case .accepts: return "accept"
        case .multiClient: return "multi"
        case .echo: return "echo"
        case .neverSends: return "nosend"
        case .writefds: return "wfds"
        case .directSend: return "direct"
        case .timeout: return "tmo"
        case .close: return "close"
        case .noSpin: return "nospin"
        case .sendThenClose: return "s+close"
        case .reset: return "reset"
        case .slowReader: return "slow"
        case .shortSend: return "short"
        case .restart: return "restart"
        case .manyClients: return "many"
        }
    }
}
