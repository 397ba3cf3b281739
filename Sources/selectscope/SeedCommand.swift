import ArgumentParser
import SelectCore
import Teaching

/// `selectscope seed`: prints one of the homework's programs, so it can be run, traced or
/// graded as the student has it.
struct SeedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Print one of the homework's own programs (練習1–5), server or client.",
        discussion: """
            Example: selectscope seed 4 server --port 5555 > server4.py && python3 server4.py
            """
    )

    enum Part: String, ExpressibleByArgument, CaseIterable {
        case server, client
    }

    @Argument(help: "The exercise, 1–5.")
    var exercise: Int

    @Argument(help: "server or client.")
    var part: Part = .server

    @Option(name: .long, help: "Replace the hard-coded port 1234 with this one.")
    var port: Int?

    func validate() throws {
        guard Mode(rawValue: exercise) != nil else {
            throw ValidationError("the exercise must be 1, 2, 3, 4 or 5 (got \(exercise))")
        }
        if let port, !(1...65535).contains(port) {
            throw ValidationError("--port must be 1…65535 (got \(port))")
        }
    }

    func run() throws {
        guard let mode = Mode(rawValue: exercise) else { return }
        let code = part == .server ? SeedSource.server(for: mode) : SeedSource.client(for: mode)
        // A multi-line literal drops its last newline; the homework's files end with one.
        print(port.map { SeedSource.code(code, port: $0) } ?? code)
    }
}
