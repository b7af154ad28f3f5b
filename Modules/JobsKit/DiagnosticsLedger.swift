import RedisKit
import Synchronization

/// Where `diagnostics.sleep` records what it did, so tests and benchmarks can count executions
/// (at least once) and completions (exactly once, being a set) across worker processes.
protocol DiagnosticsLedger: Sendable {
    func recordExecution(of jobID: String) async throws
    func recordCompletion(of jobID: String) async throws
    /// Executions per job id.
    func executions() async throws -> [String: Int]
    /// Ids of jobs that completed at least once.
    func completions() async throws -> Set<String>
}

struct RedisDiagnosticsLedger: DiagnosticsLedger {
    let redis: RedisClient
    let keys: JobKeys

    func recordExecution(of jobID: String) async throws {
        _ = try await redis.send(["HINCRBY", keys.diagnosticsExecutions, jobID, "1"])
    }

    func recordCompletion(of jobID: String) async throws {
        _ = try await redis.send(["SADD", keys.diagnosticsCompletions, jobID])
    }

    func executions() async throws -> [String: Int] {
        let fields = try RedisStreamsQueue.fields(of: try await redis.send(["HGETALL", keys.diagnosticsExecutions])) ?? [:]
        return fields.compactMapValues { Int($0) }
    }

    func completions() async throws -> Set<String> {
        Set((try await redis.send(["SMEMBERS", keys.diagnosticsCompletions]).array ?? []).compactMap(\.string))
    }
}

final class InMemoryDiagnosticsLedger: DiagnosticsLedger {
    private let state = Mutex<(executions: [String: Int], completions: Set<String>)>(([:], []))

    func recordExecution(of jobID: String) async throws {
        state.withLock { $0.executions[jobID, default: 0] += 1 }
    }

    func recordCompletion(of jobID: String) async throws {
        _ = state.withLock { $0.completions.insert(jobID) }
    }

    func executions() async throws -> [String: Int] { state.withLock { $0.executions } }
    func completions() async throws -> Set<String> { state.withLock { $0.completions } }
}
