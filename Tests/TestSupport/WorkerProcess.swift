import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A `recall-worker` process started by a test, with its output collected as it comes.
///
/// Output is read continuously: a worker that logs more than a pipe holds (64 KB) would
/// otherwise block on its next write and look hung.
public final class WorkerProcess: Sendable {
    public let process: Process
    public let arguments: [String]
    private final class Output: Sendable {
        let data = Mutex(Data())
    }

    private let output = Output()

    /// Starts `recall-worker` with `arguments` and exactly `environment` (plus PATH).
    public init(_ arguments: [String], environment: [String: String]) throws {
        let (process, standardOutput, standardError) = try TestPrograms.start("recall-worker", arguments, environment: environment)
        self.process = process
        self.arguments = arguments
        for pipe in [standardOutput, standardError] {
            pipe.fileHandleForReading.readabilityHandler = { [output] handle in
                let data = handle.availableData
                if !data.isEmpty { output.data.withLock { $0.append(data) } }
            }
        }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    public var pid: Int32 { process.processIdentifier }

    /// Everything written to standard output and standard error so far.
    public var log: String { output.data.withLock { String(decoding: $0, as: UTF8.self) } }

    /// SIGKILL: the worker vanishes the way a crashed or OOM-killed one does.
    public func killHard() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, then waits up to `timeout` for the exit; returns the exit status, or nil if it did
    /// not exit in time (it is then killed).
    public func terminate(timeout: Duration = .seconds(30)) async -> Int32? {
        kill(process.processIdentifier, SIGTERM)
        return await waitForExit(timeout: timeout)
    }

    public func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            killHard()
            return nil
        }
        process.waitUntilExit()
        return process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
    }
}
