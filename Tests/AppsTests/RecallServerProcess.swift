import Foundation
import TestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real `recall-server` on a free loopback port, for the `recall … --server` commands.
final class RecallServerProcess: @unchecked Sendable {
    // @unchecked: one test drives an instance; `process` is set once in init.
    let url: String
    private let process: Process
    private let errors: Pipe

    struct NotStarted: Error, CustomStringConvertible {
        let description: String
    }

    /// Starts the server with `environment` (HOST and PORT are set here) and waits for /health.
    init(environment: [String: String]) async throws {
        let port = try FreePort.loopback()
        url = "http://127.0.0.1:\(port)"
        var env = environment
        env["HOST"] = "127.0.0.1"
        env["PORT"] = String(port)
        env["LOG_LEVEL"] = env["LOG_LEVEL"] ?? "warning"
        let started = try TestPrograms.start("recall-server", [], environment: env)
        process = started.process
        errors = started.standardError
        let health = try URL(string: "\(url)/health").orThrow()
        for _ in 0..<300 {
            if let (_, response) = try? await URLSession.shared.data(from: health), (response as? HTTPURLResponse)?.statusCode == 200 {
                return
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        stop()
        throw NotStarted(description: "recall-server did not answer /health: \(String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self))")
    }

    /// SIGTERM and wait.
    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

private extension Optional {
    func orThrow() throws -> Wrapped {
        guard let self else { throw RecallServerProcess.NotStarted(description: "not a URL") }
        return self
    }
}
