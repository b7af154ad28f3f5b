import Foundation

/// Runs Recall's own executables, built by `swift build`/`swift test` next to the test bundle.
public enum TestPrograms {
    public struct Output: Sendable {
        public let status: Int32
        public let standardOutput: String
        public let standardError: String
    }

    public struct NotBuilt: Error, CustomStringConvertible {
        public let name: String
        public var description: String { "\(name) is not built next to the tests: run `swift build` first (or `make test`)" }
    }

    /// The build products directory (where `swift build` put the executables).
    public static var productsDirectory: URL {
        URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    }

    public static func executable(_ name: String) throws -> URL {
        let url = productsDirectory.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else { throw NotBuilt(name: name) }
        return url
    }

    /// Starts a program with exactly `environment` (plus PATH) in `directory`.
    public static func start(
        _ name: String, _ arguments: [String], environment: [String: String] = [:], directory: URL? = nil
    ) throws -> (process: Process, standardOutput: Pipe, standardError: Pipe) {
        let process = Process()
        process.executableURL = try executable(name)
        process.arguments = arguments
        var env = environment
        env["PATH"] = env["PATH"] ?? ProcessInfo.processInfo.environment["PATH"]
        process.environment = env
        process.currentDirectoryURL = directory ?? FileManager.default.temporaryDirectory
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return (process, out, err)
    }

    /// Like ``run(_:_:environment:directory:)``, but waits on a thread of its own, so async tests
    /// do not hold one of the few threads Swift concurrency (and every other test) runs on while
    /// a program runs: on a two-core machine, two blocked threads stall the whole test run.
    public static func runDetached(
        _ name: String, _ arguments: [String], environment: [String: String] = [:], directory: URL? = nil
    ) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try run(name, arguments, environment: environment, directory: directory) })
            }.start()
        }
    }

    /// Runs a program to completion and returns its exit status and output.
    public static func run(
        _ name: String, _ arguments: [String], environment: [String: String] = [:], directory: URL? = nil
    ) throws -> Output {
        let (process, out, err) = try start(name, arguments, environment: environment, directory: directory)
        // Read before waiting so a full pipe cannot block the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus,
            standardOutput: String(decoding: stdout, as: UTF8.self),
            standardError: String(decoding: stderr, as: UTF8.self)
        )
    }
}
