import Foundation
import Logging
import MetricsKit
import ServiceLifecycle
import Synchronization
import Testing

@testable import JobsKit

/// The worker runtime in this process, against both backends.
@Suite("Worker")
struct WorkerTests {
    private static let logger = Logger(label: "worker-tests", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Counts running handlers and remembers the most that ran at once.
    final class Concurrency: Sendable {
        private let state = Mutex((running: 0, peak: 0, runs: 0))

        func enter() { state.withLock { $0.running += 1; $0.runs += 1; $0.peak = max($0.peak, $0.running) } }
        func leave() { state.withLock { $0.running -= 1 } }
        var peak: Int { state.withLock { $0.peak } }
        var runs: Int { state.withLock { $0.runs } }
    }

    private func worker(_ queue: any JobBroker, _ handlers: JobHandlerRegistry, concurrency: Int = 4,
                        grace: Duration = .seconds(5), exitWhenIdle: Bool = false, metrics: RecallMetrics? = nil) -> Worker {
        Worker(
            broker: queue, handlers: handlers,
            configuration: WorkerConfiguration(
                concurrency: concurrency, shutdownGracePeriod: grace, pollInterval: .milliseconds(200), exitWhenIdle: exitWhenIdle),
            metrics: metrics, logger: Self.logger
        )
    }

    @Test("runs jobs to their outcomes: results, progress, a retry that succeeds, bad payloads and unknown types",
          arguments: QueueBackend.all)
    func outcomes(backend: QueueBackend) async throws {
        let options = JobQueueOptions(retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(50)), lease: .seconds(5))
        try await withQueue(backend, options: options) { fixture in
            let queue = fixture.queue
            let concurrency = Concurrency()
            let flaky = Atomic<Int>(0)
            struct Numbers: Codable, Sendable { var a: Int; var b: Int }
            var handlers = JobHandlerRegistry()
            handlers.register("add", payload: Numbers.self) { numbers, context in
                concurrency.enter()
                defer { concurrency.leave() }
                await context.reportProgress(0.5, message: "adding")
                try await Task.sleep(for: .milliseconds(100))
                return ["sum": numbers.a + numbers.b]
            }
            handlers.register("flaky") { _ in
                if flaky.add(1, ordering: .relaxed).newValue == 1 { throw JobFailure.retryable("first time fails") }
                return nil
            }
            let sums = try await (0..<12).asyncMap { try await queue.enqueue(type: "add", payload: Numbers(a: $0, b: 1)) }
            let flakyID = try await queue.enqueue(type: "flaky", payload: json("{}"))
            let badPayload = try await queue.enqueue(type: "add", payload: json(#"{"a":"x"}"#))
            let unknown = try await queue.enqueue(type: "nobody.serves.this", payload: json("{}"))

            let metrics = RecallMetrics()
            let worker = worker(queue, handlers, concurrency: 3, exitWhenIdle: true, metrics: metrics)
            try await worker.run()

            for (index, id) in sums.enumerated() {
                let record = try #require(try await queue.record(id: id))
                #expect(record.status == .succeeded && record.progress == 1 && record.progressMessage == "adding")
                #expect(record.result.flatMap { try? JSONDecoder().decode([String: Int].self, from: $0) } == ["sum": index + 1])
            }
            #expect(concurrency.peak == 3)
            let flakyRecord = try #require(try await queue.record(id: flakyID))
            #expect(flakyRecord.status == .succeeded && flakyRecord.attempts == 2 && flakyRecord.error == "first time fails")
            let bad = try #require(try await queue.record(id: badPayload))
            #expect(bad.status == .failed && bad.attempts == 1 && bad.error?.contains("not a valid") == true)
            let orphan = try #require(try await queue.record(id: unknown))
            #expect(orphan.status == .dead && orphan.attempts == 2 && orphan.error?.contains("no handler") == true)

            let exposition = metrics.exposition()
            #expect(exposition.contains(#"jobs_completed_total{type="add",status="succeeded"} 12"#))
            #expect(exposition.contains(#"jobs_completed_total{type="add",status="failed"} 1"#))
            #expect(exposition.contains(#"jobs_retries_total{type="flaky"} 1"#))
            #expect(exposition.contains(#"jobs_completed_total{type="nobody.serves.this",status="dead"} 1"#))
            #expect(exposition.contains(#"job_duration_seconds_count{type="add"} 13"#))
            #expect(exposition.contains(#"jobs_completed_total{type="cleanup_failed_jobs",status="succeeded"} 0"#))
        }
    }

    @Test("graceful shutdown stops fetching and lets the running job finish and be acknowledged", arguments: QueueBackend.all)
    func gracefulDrain(backend: QueueBackend) async throws {
        try await withQueue(backend) { fixture in
            let queue = fixture.queue
            var handlers = JobHandlerRegistry()
            handlers.register("slow") { _ in
                try await Task.sleep(for: .milliseconds(600))
                return nil
            }
            let first = try await queue.enqueue(type: "slow", payload: json("{}"))
            let second = try await queue.enqueue(type: "slow", payload: json("{}"))
            let group = ServiceGroup(services: [worker(queue, handlers, concurrency: 1)], logger: Self.logger)
            async let ran: Void = group.run()
            #expect(try await eventually(timeout: .seconds(5)) { try await queue.record(id: first)?.status == .running })
            await group.triggerGracefulShutdown()
            try await ran
            #expect(try await queue.record(id: first)?.status == .succeeded)
            let untouched = try #require(try await queue.record(id: second))
            #expect(untouched.status == .queued && untouched.attempts == 0)
            #expect(try await queue.counts()[.running] == 0)
        }
    }

    @Test("a job still running when the grace period ends is left unacknowledged for another worker",
          arguments: QueueBackend.all)
    func graceExpires(backend: QueueBackend) async throws {
        try await withQueue(backend, options: JobQueueOptions(lease: .milliseconds(400))) { fixture in
            let queue = fixture.queue
            var handlers = JobHandlerRegistry()
            handlers.register("endless") { _ in
                try await Task.sleep(for: .seconds(30))
                return nil
            }
            let id = try await queue.enqueue(type: "endless", payload: json("{}"))
            let group = ServiceGroup(
                services: [worker(queue, handlers, concurrency: 1, grace: .milliseconds(100))], logger: Self.logger)
            async let ran: Void = group.run()
            #expect(try await eventually(timeout: .seconds(5)) { try await queue.record(id: id)?.status == .running })
            await group.triggerGracefulShutdown()
            try await ran
            let record = try #require(try await queue.record(id: id))
            #expect(record.status == .running && record.attempts == 1 && record.error == nil)
            var reclaimed: [JobDelivery] = []
            #expect(try await eventually(timeout: .seconds(5)) {
                reclaimed = try await queue.reclaim(consumer: "next-worker", max: 5)
                return !reclaimed.isEmpty
            })
            #expect(reclaimed.map(\.jobID) == [id])
        }
    }

    @Test("a job longer than its lease keeps it by renewal: a second worker never runs it", arguments: QueueBackend.all)
    func renewalAcrossWorkers(backend: QueueBackend) async throws {
        try await withQueue(backend, options: JobQueueOptions(lease: .milliseconds(600))) { fixture in
            let queue = fixture.queue
            let runs = Concurrency()
            var handlers = JobHandlerRegistry()
            handlers.register("long") { _ in
                runs.enter()
                defer { runs.leave() }
                try await Task.sleep(for: .milliseconds(2000))
                return nil
            }
            let id = try await queue.enqueue(type: "long", payload: json("{}"))
            let one = worker(queue, handlers, exitWhenIdle: true)
            let two = worker(queue, handlers, exitWhenIdle: true)
            async let first: Void = one.run()
            async let second: Void = two.run()
            _ = try await (first, second)
            #expect(runs.runs == 1)
            let record = try #require(try await queue.record(id: id))
            #expect(record.status == .succeeded && record.attempts == 1 && record.deliveries == 1)
        }
    }

    @Test("a handler whose lease passed to another worker is cancelled at the next renewal, and its result is not stored",
          arguments: QueueBackend.all)
    func lostLease(backend: QueueBackend) async throws {
        try await withQueue(backend, options: JobQueueOptions(lease: .milliseconds(300))) { fixture in
            let queue = fixture.queue
            let cancelled = Atomic<Bool>(false)
            var handlers = JobHandlerRegistry()
            handlers.register("long") { _ in
                do {
                    try await Task.sleep(for: .seconds(10))
                } catch {
                    cancelled.store(true, ordering: .relaxed)
                    throw error
                }
                return nil
            }
            let id = try await queue.enqueue(type: "long", payload: json("{}"))
            let worker = worker(queue, handlers)
            let running = Task { try await worker.run() }
            #expect(try await eventually(timeout: .seconds(10)) { try await queue.record(id: id)?.status == .running })
            try await fixture.stealLease(id)
            #expect(await eventually(timeout: .seconds(5)) { cancelled.load(ordering: .relaxed) })
            running.cancel()
            try await running.value
            let record = try #require(try await queue.record(id: id))
            #expect(record.status == .running && record.attempts == 1, "the new holder's job is left alone")
        }
    }

    @Test("deliveries held behind slow jobs outlive their lease: two workers never both run one job, and all succeed",
          arguments: QueueBackend.all)
    func heldBehindSlowJobs(backend: QueueBackend) async throws {
        try await withQueue(backend, options: JobQueueOptions(lease: .milliseconds(400))) { fixture in
            let queue = fixture.queue
            let runs = Mutex<[String: Int]>([:])
            var handlers = JobHandlerRegistry()
            handlers.register("quick") { context in
                runs.withLock { $0[context.jobID, default: 0] += 1 }
                return nil
            }
            handlers.register("slow") { context in
                runs.withLock { $0[context.jobID, default: 0] += 1 }
                try await Task.sleep(for: .milliseconds(1200))
                return nil
            }
            var ids: [String] = []
            // Quick jobs teach the workers to fetch and start in batches; the slow ones then keep
            // a batch waiting behind them for longer than the lease.
            for index in 0..<900 {
                ids.append(try await queue.enqueue(type: index % 300 == 299 ? "slow" : "quick", payload: json("{}")))
            }
            let one = worker(queue, handlers, concurrency: 1, exitWhenIdle: true)
            let two = worker(queue, handlers, concurrency: 1, exitWhenIdle: true)
            async let first: Void = one.run()
            async let second: Void = two.run()
            _ = try await (first, second)
            let counts = try await queue.counts()
            #expect(counts[.succeeded] == ids.count, "\(counts)")
            let twice = runs.withLock { $0.filter { $0.value != 1 } }
            #expect(twice.isEmpty, "jobs not run exactly once: \(twice.count)")
        }
    }

    @Test("an attempt that exceeds its timeout is cancelled, recorded and retried", arguments: QueueBackend.all)
    func timeout(backend: QueueBackend) async throws {
        let options = JobQueueOptions(retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(20)))
        try await withQueue(backend, options: options) { fixture in
            let queue = fixture.queue
            var handlers = JobHandlerRegistry()
            handlers.register("stuck", timeout: .milliseconds(100)) { _ in
                try await Task.sleep(for: .seconds(30))
                return nil
            }
            let id = try await queue.enqueue(type: "stuck", payload: json("{}"))
            try await worker(queue, handlers, exitWhenIdle: true).run()
            let record = try #require(try await queue.record(id: id))
            #expect(record.status == .dead && record.attempts == 2)
            #expect(record.error?.hasPrefix("timed out after") == true)
        }
    }

    @Test("cleanup_failed_jobs is served by default and returns its report")
    func cleanupTask() async throws {
        let queue = InProcessQueue()
        let id = try await queue.enqueue(type: TaskName.cleanupFailedJobs, payload: json("{}"))
        try await worker(queue, JobHandlerRegistry(), exitWhenIdle: true).run()
        let record = try #require(try await queue.record(id: id))
        #expect(record.status == .succeeded)
        #expect(try record.result.map { try JSONDecoder().decode(CleanupReport.self, from: $0) } == CleanupReport())
    }
}

extension Sequence where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
