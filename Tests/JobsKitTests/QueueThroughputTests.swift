import Foundation
import Logging
import TestSupport
import Testing

@testable import JobsKit

/// Enqueue and drain rates through the real Redis, opt-in: `RECALL_JOBS_THROUGHPUT=10000` runs it
/// with that many `diagnostics.noop` jobs and prints the rates. A measurement, not a gate: it
/// only checks that every job finished.
@Suite("Queue throughput", .enabled(if: ProcessInfo.processInfo.environment["RECALL_JOBS_THROUGHPUT"] != nil))
struct QueueThroughputTests {
    @Test("enqueue N no-op jobs with 64 concurrent producers, then drain them with one worker of concurrency 32")
    func enqueueAndDrain() async throws {
        let count = Int(ProcessInfo.processInfo.environment["RECALL_JOBS_THROUGHPUT"] ?? "") ?? 10_000
        try await withQueue(.redis) { fixture in
            let queue = fixture.queue
            let payload = json("{}")
            let enqueueStart = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for producer in 0..<64 {
                    group.addTask {
                        for _ in stride(from: producer, to: count, by: 64) {
                            try await queue.enqueue(type: TaskName.diagnosticsNoop, payload: payload)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let enqueueTime = ContinuousClock.now - enqueueStart
            var handlers = JobHandlerRegistry()
            handlers.registerDiagnosticTasks(ledger: queue.diagnosticsLedger)
            let worker = Worker(
                broker: queue, handlers: handlers,
                configuration: WorkerConfiguration(concurrency: 32, exitWhenIdle: true), metrics: nil,
                logger: Logger(label: "throughput", factory: { _ in SwiftLogNoOpLogHandler() })
            )
            let drainStart = ContinuousClock.now
            try await worker.run()
            let drainTime = ContinuousClock.now - drainStart
            #expect(try await queue.counts()[.succeeded] == count)
            func rate(_ duration: Duration) -> Int {
                Int(Double(count) / (Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18))
            }
            print("jobs throughput: enqueue \(count) in \(enqueueTime) (\(rate(enqueueTime))/s), drain in \(drainTime) (\(rate(drainTime))/s)")
        }
    }
}
