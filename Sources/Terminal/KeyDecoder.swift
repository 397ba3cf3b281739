import CNcurses
import Dashboard

/// Turns what `wget_wch` returns into plain values: the one table of terminal keys.
enum KeyDecoder {
    /// A character `wget_wch` returned with `OK`.
    static func decode(character code: UInt32) -> TerminalInput? {
        switch code {
        case 3: return .key(.controlC)
        case 8, 127: return .key(.backspace)
        case 9: return .key(.tab)
        case 10, 13: return .key(.enter)
        case 27: return .key(.escape)
        case 32: return .key(.space)
        case 0..<32, 0x80..<0xA0: return nil  // other control characters: nothing to map
        default:
            guard let scalar = Unicode.Scalar(code) else { return nil }
            return .key(.character(Character(scalar)))
        }
    }

    /// A key code `wget_wch` returned with `KEY_CODE_YES`.
    static func decode(keyCode code: Int32) -> TerminalInput? {
        switch code {
        case KEY_RESIZE: return .resize
        case KEY_MOUSE:
            var x: Int32 = 0
            var y: Int32 = 0
            switch cn_mouse_read(&x, &y) {
            case 1: return .mouse(MouseEvent(x: Int(x), y: Int(y), kind: .click))
            case 4: return .mouse(MouseEvent(x: Int(x), y: Int(y), kind: .wheelUp))
            case 5: return .mouse(MouseEvent(x: Int(x), y: Int(y), kind: .wheelDown))
            default: return nil
            }
        case KEY_UP: return .key(.up)
        case KEY_DOWN: return .key(.down)
        case KEY_LEFT: return .key(.left)
        case KEY_RIGHT: return .key(.right)
        case KEY_PPAGE: return .key(.pageUp)
        case KEY_NPAGE: return .key(.pageDown)
        // Some terminals (screen, tmux, the Linux console) send Find/Select for Home/End.
        case KEY_HOME, KEY_FIND, KEY_A1: return .key(.home)
        case KEY_END, KEY_SELECT, KEY_C1: return .key(.end)
        case KEY_BACKSPACE: return .key(.backspace)
        case KEY_ENTER: return .key(.enter)
        default:
            let f0 = cn_key_f(0)
            if code > f0, code <= cn_key_f(63) { return .key(.function(Int(code - f0))) }
            return nil
        }
    }
}
