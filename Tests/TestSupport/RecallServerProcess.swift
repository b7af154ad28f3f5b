import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real `recall-server` on a free loopback port, started with a test's environment and
/// ready once it answers `GET /health`; SIGTERM on ``stop()`` or when released.
public final class RecallServerProcess: @unchecked Sendable {
    // @unchecked: one test drives an instance; `process` is set once in init.
    public let port: Int
    public let process: Process
    private let errors: Pipe

    /// `http://127.0.0.1:PORT`.
    public var url: String { "http://127.0.0.1:\(port)" }

    public struct NotStarted: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Starts the server with `environment` (HOST and PORT are set here; LOG_LEVEL defaults to
    /// warning) and waits up to 30 s for /health.
    public init(environment: [String: String]) async throws {
        port = try FreePort.loopback()
        var env = environment
        env["HOST"] = "127.0.0.1"
        env["PORT"] = String(port)
        env["LOG_LEVEL"] = env["LOG_LEVEL"] ?? "warning"
        let started = try TestPrograms.start("recall-server", [], environment: env)
        process = started.process
        errors = started.standardError
        let health = URL(string: "http://127.0.0.1:\(port)/health")!
        for _ in 0..<300 {
            if let (_, response) = try? await URLSession.shared.data(from: health),
               (response as? HTTPURLResponse)?.statusCode == 200 {
                return
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        stop()
        throw NotStarted(description: "recall-server did not answer /health: \(String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self))")
    }

    /// SIGTERM and wait: the server drains and exits.
    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}
