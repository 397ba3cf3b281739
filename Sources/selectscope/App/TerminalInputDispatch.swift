import Dashboard
import Terminal

extension DashboardState {
    /// One input from the terminal, as the screen state takes it (live and watch alike).
    mutating func apply(_ input: TerminalInput, size: () -> (width: Int, height: Int)) -> [DashboardEffect] {
        switch input {
        case .resize:
            let size = size()
            return apply(.resized(width: size.width, height: size.height))
        case .key(let key):
            return apply(.key(key))
        case .mouse(let event):
            return apply(.mouse(event))
        }
    }
}
