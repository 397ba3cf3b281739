// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "SelectScope",
    products: [
        .executable(name: "selectscope", targets: ["selectscope"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
    ],
    targets: [
        // ncurses, mapped for the one module that draws on a real terminal.
        .systemLibrary(
            name: "CNcurses",
            path: "Modules/CNcurses",
            providers: [.apt(["libncurses-dev"])]
        ),
        // accept4/pipe2 and the fd_set macros, which Swift cannot import.
        .target(name: "CSystemShim", path: "Modules/CSystemShim"),
        // ptrace, seccomp and the fork-to-exec steps of a traced child, which Swift cannot call.
        .target(name: "CTracerShim", path: "Modules/CTracerShim"),
        // The kernel program that reads readiness calls without stopping the program (BPF).
        .target(name: "CReadinessProbe", path: "Modules/CReadinessProbe"),
        // The server: sockets, backends, the five modes, trace records, clients. No terminal.
        .target(
            name: "SelectCore", dependencies: ["CSystemShim"],
            // Dynamic exclusivity checks on the server's class state cost ~3,800 instructions
            // per echoed message (callgrind); debug builds and tests keep them.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        // The homework's own programs, and what the teaching views say about each call.
        .target(name: "Teaching", dependencies: ["SelectCore"]),
        // The client processes the dashboard spawns and supervises.
        .target(name: "Clients", dependencies: ["SelectCore", "CSystemShim"]),
        // `selectscope bench`: many connections, every echoed byte checked.
        .target(
            name: "LoadGenerator",
            dependencies: ["SelectCore", "CSystemShim", .product(name: "Histogram", package: "hdrhistogram-swift")]
        ),
        // Any program's readiness loop, traced with ptrace, as the same per-call records.
        .target(
            name: "Tracer", dependencies: ["SelectCore", "CTracerShim", "CReadinessProbe"],
            // As in SelectCore: ~1,200 of the ~6,500 instructions a traced readiness call costs
            // the tracer were these checks (callgrind).
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        // `selectscope check`: runs a submission under the tracer in a sandbox, drives it with
        // scripted clients, judges its readiness calls.
        .target(name: "Grader", dependencies: ["SelectCore", "CSystemShim"]),
        // Pure drawing: snapshot -> text grid. No terminal.
        .target(name: "Dashboard", dependencies: ["SelectCore", "Teaching", "Clients"]),
        // The only module that talks to ncurses.
        .target(name: "Terminal", dependencies: ["Dashboard", "CNcurses"]),
        .executableTarget(
            name: "selectscope",
            dependencies: [
                "SelectCore", "Teaching", "Clients", "LoadGenerator", "Dashboard", "Terminal", "Tracer", "CTracerShim",
                "Grader",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // A plain blocking TCP client that both socket-level test targets drive servers with.
        .target(name: "LoopbackTesting", path: "Tests/LoopbackTesting"),
        // The built binary run as a user runs it: child processes, tmux, free ports, the seed.
        // Shared by the test targets that drive the executable (`@testable import`: the
        // helpers stay internal, debug test builds compile every module for testing).
        .target(name: "ProcessTesting", dependencies: ["LoopbackTesting"], path: "Tests/ProcessTesting"),
        .testTarget(name: "SelectCoreTests", dependencies: ["SelectCore", "LoopbackTesting"]),
        .testTarget(name: "DashboardTests", dependencies: ["Dashboard", "SelectCore", "Teaching", "Clients", "LoopbackTesting"],
                    resources: [.copy("Snapshots")]),
        .testTarget(name: "TerminalTests", dependencies: ["Terminal", "Dashboard", "CNcurses"]),
        .testTarget(name: "SelectScopeTests", dependencies: ["SelectCore", "LoopbackTesting", "ProcessTesting"]),
        .testTarget(name: "TracerTests", dependencies: ["Tracer", "SelectCore", "LoopbackTesting", "ProcessTesting"],
                    exclude: ["Programs"]),
        .testTarget(name: "GraderTests", dependencies: ["Grader", "SelectCore"], exclude: ["Submissions"]),
    ]
)
