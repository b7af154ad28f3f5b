import Foundation

/// The `diagnostics.*` tasks: tools for tests and benchmarks, never registered by default.
///
/// - ``TaskName/diagnosticsNoop`` returns at once, so a drain measures the queue alone.
/// - ``TaskName/diagnosticsSleep`` takes `{"milliseconds": n}`, counts an execution, sleeps,
///   then adds its job id to a completion set. Executions count every run (delivery is at least
///   once); the set shows what an idempotent store would hold, which must be each job once.
/// - ``TaskName/diagnosticsFail`` takes `{"message": "…", "permanent": false}` and always fails.
extension JobHandlerRegistry {
    /// Registers the diagnostics tasks, recording into the queue's Redis under its key prefix
    /// (`{prefix}:diagnostics:executions` and `{prefix}:diagnostics:completed`).
    public mutating func registerDiagnosticTasks(for queue: RedisStreamsQueue) {
        registerDiagnosticTasks(ledger: queue.diagnosticsLedger)
    }

    /// Registers the diagnostics tasks, recording in the queue's memory.
    public mutating func registerDiagnosticTasks(for queue: InProcessQueue) {
        registerDiagnosticTasks(ledger: queue.diagnosticsLedger)
    }

    private struct SleepPayload: Decodable, Sendable {
        var milliseconds: Int
    }

    private struct FailPayload: Decodable, Sendable {
        var message: String?
        var permanent: Bool?
    }

    mutating func registerDiagnosticTasks(ledger: any DiagnosticsLedger) {
        register(TaskName.diagnosticsNoop) { _ in nil }
        register(TaskName.diagnosticsSleep, payload: SleepPayload.self) { payload, context in
            try await ledger.recordExecution(of: context.jobID)
            try await Task.sleep(for: .milliseconds(max(0, payload.milliseconds)))
            try await ledger.recordCompletion(of: context.jobID)
        }
        register(TaskName.diagnosticsFail, payload: FailPayload.self) { payload, _ in
            let message = payload.message ?? "diagnostics.fail always fails"
            throw payload.permanent == true ? JobFailure.permanent(message) : JobFailure.retryable(message)
        }
    }
}
