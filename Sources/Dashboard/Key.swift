/// A key press, decoded by the terminal layer into a plain value.
public enum Key: Hashable, Sendable {
    case character(Character)
    case enter
    case space
    case escape
    case up, down, left, right, pageUp, pageDown, home, end
    case tab
    case backspace
    case controlC
    case function(Int)
}
