import CNcurses
import Dashboard

/// How every `Role` looks: the one place that names colours.
///
/// With colour, each role gets a colour pair (foreground on the terminal's own background
/// where it allows that) plus attributes. Without (`NO_COLOR`, or a terminal without colour),
/// attributes alone keep the roles apart: bold for what matters, reverse for bars and the
/// highlight, dim for the unimportant.
struct Palette {
    enum Attribute: Sendable { case bold, dim, reverse, underline }

    /// A role's look in colour: nil colours mean the terminal's default.
    struct Look: Sendable {
        var foreground: Int32?
        var background: Int32?
        var attributes: [Attribute]

        init(_ foreground: Int32?, on background: Int32? = nil, _ attributes: [Attribute] = []) {
            self.foreground = foreground
            self.background = background
            self.attributes = attributes
        }
    }

    static func colourLook(_ role: Role) -> Look {
        switch role {
        case .normal: return Look(nil)
        case .title: return Look(COLOR_CYAN, [.bold])
        case .label: return Look(COLOR_YELLOW)
        case .dim: return Look(nil, [.dim])
        case .border: return Look(COLOR_BLUE)
        case .readable: return Look(COLOR_GREEN, [.bold])
        case .writable: return Look(COLOR_CYAN, [.bold])
        case .exceptional: return Look(COLOR_MAGENTA, [.bold])
        case .warning: return Look(COLOR_YELLOW, [.bold])
        case .error: return Look(COLOR_WHITE, on: COLOR_RED, [.bold])
        case .listener: return Look(COLOR_MAGENTA)
        case .highlight: return Look(COLOR_BLACK, on: COLOR_CYAN)
        case .keyBar: return Look(COLOR_BLACK, on: COLOR_CYAN)
        case .keyName: return Look(COLOR_WHITE, on: COLOR_BLACK, [.bold])
        }
    }

    static func monochromeLook(_ role: Role) -> [Attribute] {
        switch role {
        case .normal, .border, .label, .listener: return []
        case .title: return [.bold]
        case .dim: return [.dim]
        case .readable, .writable, .exceptional, .warning: return [.bold]
        case .error: return [.bold, .reverse]
        case .highlight, .keyBar: return [.reverse]
        case .keyName: return [.bold]
        }
    }

    /// What ncurses needs for one role: attributes and colour pair.
    struct Style: Sendable, Equatable {
        var attributes: attr_t
        var pair: Int16
    }

    let usesColour: Bool
    private let styles: [Style]

    func style(_ role: Role) -> Style { styles[Int(role.rawValue)] }

    /// Builds the palette, initialising colour pairs when `colour` is wanted and the terminal
    /// has enough of them (call after newterm).
    static func make(colourWanted: Bool) -> Palette {
        let roles = Role.allCases
        var colour = colourWanted && has_colors()
        if colour, start_color() != OK { colour = false }
        if colour, cn_colors() < 8 || cn_color_pairs() <= roles.count { colour = false }
        guard colour else {
            return Palette(usesColour: false, styles: roles.map { Style(attributes: bits(monochromeLook($0)), pair: 0) })
        }
        // Keep the terminal's own background (and default text colour) where it lets us.
        let defaults = use_default_colors() == OK
        let defaultForeground = defaults ? -1 : COLOR_WHITE
        let defaultBackground = defaults ? -1 : COLOR_BLACK
        var styles: [Style] = []
        for role in roles {
            let look = colourLook(role)
            var pair: Int16 = 0
            if look.foreground != nil || look.background != nil || !defaults {
                pair = Int16(role.rawValue) + 1
                _ = init_pair(pair, Int16(look.foreground ?? defaultForeground), Int16(look.background ?? defaultBackground))
            }
            styles.append(Style(attributes: bits(look.attributes), pair: pair))
        }
        return Palette(usesColour: true, styles: styles)
    }

    private init(usesColour: Bool, styles: [Style]) {
        self.usesColour = usesColour
        self.styles = styles
    }

    private static func bits(_ attributes: [Attribute]) -> attr_t {
        attributes.reduce(cn_a_normal()) { result, attribute in
            switch attribute {
            case .bold: return result | cn_a_bold()
            case .dim: return result | cn_a_dim()
            case .reverse: return result | cn_a_reverse()
            case .underline: return result | cn_a_underline()
            }
        }
    }
}
