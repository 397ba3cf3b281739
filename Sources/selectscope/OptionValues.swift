import ArgumentParser
import Clients
import Dashboard
import SelectCore
import Tracer

// The options whose values are a set of names: the parser checks them, lists them in the
// help and completes them in the shell.
extension Mode: ExpressibleByArgument {}
extension BackendKind: ExpressibleByArgument {}
extension ClientKind: ExpressibleByArgument {}
extension Language: ExpressibleByArgument {}

/// `server --log`: the seed's lines, or nothing.
enum LogFormat: String, CaseIterable, ExpressibleByArgument {
    case text
    case quiet = "none"
}

/// Range checks for numeric options, with one wording: `--port must be between 0 and 65535
/// (got -1)`. Non-finite numbers (inf, nan) never pass.
///
/// Numeric options are declared with `parsing: .unconditional`, so a negative value reaches
/// these checks instead of being taken for a flag ("Missing value for '--port <port>'").
enum OptionCheck {
    static func integer(_ value: Int, _ name: String, in range: ClosedRange<Int>, unit: String = "") throws {
        guard range.contains(value) else {
            let suffix = unit.isEmpty ? "" : " " + unit
            throw ValidationError("\(name) must be between \(range.lowerBound) and \(range.upperBound)\(suffix) (got \(value))")
        }
    }

    static func seconds(_ value: Double, _ name: String, in range: ClosedRange<Double>) throws {
        guard value.isFinite, range.contains(value) else {
            throw ValidationError("\(name) must be between \(text(range.lowerBound)) and \(text(range.upperBound)) seconds (got \(text(value)))")
        }
    }

    /// 0.001, 3600: no trailing ".0".
    static func text(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

extension TracerOptions.Events: ExpressibleByArgument {}
extension TracerOptions.Reader: ExpressibleByArgument {}
