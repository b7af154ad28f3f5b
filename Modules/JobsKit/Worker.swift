import Foundation
import Logging
import MetricsKit
import ServiceLifecycle
import Synchronization

/// Runs queued jobs with registered handlers, up to ``WorkerConfiguration/concurrency`` at once.
///
/// A job is acknowledged only after its handler returned (or its failure was recorded), in the
/// same step that records the outcome. While a handler runs, the worker renews the job's lease
/// every third of ``JobQueueOptions/lease``; a worker that dies stops renewing, and any worker
/// of the queue claims the job once the lease has run out.
///
/// Throughput comes from batches, not from more handlers: when handlers are fast the worker
/// fetches up to 256 deliveries with one read, starts up to 64 with one script, and stores the
/// successes that finish while the previous write is on the wire with one script (an idle queue
/// writes each at once). With slow handlers every batch is just the free slots. So a worker
/// killed -9 may leave more than its concurrency behind: its running jobs and its unstored
/// successes run again after their lease, its started-but-not-run jobs (one start batch at most)
/// run once but with one extra attempt counted, and its fetched-but-unstarted deliveries simply
/// run once. Failures are retried with backoff
/// (``RetryPolicy``) and dead-lettered when attempts run out. Every worker also moves retrying
/// jobs back to the queue when their backoff is over, and serves ``TaskName/cleanupFailedJobs``
/// unless the registry brings its own handler for it.
///
/// Lifecycle: the worker is a swift-service-lifecycle `Service`; nothing happens until ``run()``.
/// On graceful shutdown (SIGTERM in a `ServiceGroup`) it stops fetching, gives running jobs
/// ``WorkerConfiguration/shutdownGracePeriod`` to finish, cancels what is still running without
/// acknowledging it (another worker claims it after its lease) and returns. Cancelling ``run()``
/// does the same without the grace period.
///
/// ```swift
/// var handlers = JobHandlerRegistry()
/// handlers.register(TaskName.processDocument, payload: ProcessDocumentPayload.self) { payload, context in
///     try await pipeline.ingest(payload.documentData, progress: context.reportProgress)
/// }
/// let worker = Worker(queue: queue, handlers: handlers, configuration: .init(concurrency: 8),
///                     metrics: metrics, logger: logger)
/// let group = ServiceGroup(services: [worker], gracefulShutdownSignals: [.sigterm], logger: logger)
/// try await group.run()
/// ```
public final class Worker: Service, Sendable {
    /// How the worker runs.
    public let configuration: WorkerConfiguration

    let broker: any JobBroker
    let handlers: JobHandlerRegistry
    let logger: Logger
    let slots: WorkerSlots
    let metrics: JobMetricsSink
    let prefetch: WorkerPrefetch
    let completions: CompletionBatcher<FinishedAttempt>
    let leases = LeaseKeeper()
    /// Lease tokens are this random prefix and a counter: unique per attempt without a call to
    /// the system's random source per job.
    private let tokenPrefix = UUID().uuidString.lowercased()
    private let tokenCounter = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let startedAt = Mutex<ContinuousClock.Instant?>(nil)

    /// A worker for a queue on Redis.
    ///
    /// - Parameters:
    ///   - queue: Where jobs come from.
    ///   - handlers: The task handlers this worker serves.
    ///   - configuration: Concurrency, drain time and poll interval.
    ///   - metrics: Receives the job metrics (`jobs_completed_total`, `job_duration_seconds`,
    ///     `jobs_retries_total`, `jobs_queue_depth`); `nil` records nothing.
    ///   - logger: For every job's outcome and for broker trouble.
    public convenience init(
        queue: RedisStreamsQueue, handlers: JobHandlerRegistry, configuration: WorkerConfiguration = WorkerConfiguration(),
        metrics: RecallMetrics? = nil, logger: Logger
    ) {
        self.init(broker: queue, handlers: handlers, configuration: configuration, metrics: metrics, logger: logger)
    }

    /// A worker for a queue in this process; the parameters are those of the Redis variant.
    public convenience init(
        queue: InProcessQueue, handlers: JobHandlerRegistry, configuration: WorkerConfiguration = WorkerConfiguration(),
        metrics: RecallMetrics? = nil, logger: Logger
    ) {
        self.init(broker: queue, handlers: handlers, configuration: configuration, metrics: metrics, logger: logger)
    }

    init(broker: any JobBroker, handlers: JobHandlerRegistry, configuration: WorkerConfiguration,
         metrics: RecallMetrics?, logger: Logger) {
        var handlers = handlers
        if !handlers.contains(TaskName.cleanupFailedJobs) {
            let consumer = configuration.consumerName
            handlers.register(TaskName.cleanupFailedJobs) { context in
                let report = try await broker.cleanup(except: consumer)
                context.logger.info("cleanup done", metadata: [
                    "cleanup.requeued": "\(report.requeued)", "cleanup.dead_lettered": "\(report.deadLettered)",
                    "cleanup.removed_index_entries": "\(report.removedIndexEntries)",
                    "cleanup.removed_consumers": "\(report.removedConsumers)",
                ])
                return try JSONEncoder().encode(report)
            }
        }
        metrics?.jobs.register(types: handlers.types)
        self.broker = broker
        self.handlers = handlers
        self.configuration = configuration
        self.logger = logger
        self.slots = WorkerSlots(capacity: configuration.concurrency)
        self.metrics = JobMetricsSink(metrics)
        self.prefetch = WorkerPrefetch(concurrency: configuration.concurrency)
        self.completions = CompletionBatcher(maximumBatch: WorkerPrefetch.maximumBatch)
    }

    /// Jobs this worker brought to a final status or a retry since it started.
    public var processedCount: Int { finished.load(ordering: .relaxed) }

    /// How long ``run()`` has been running, or nil before it started.
    public var uptime: Duration? {
        startedAt.withLock { $0.map { ContinuousClock.now - $0 } }
    }

    /// Runs jobs until graceful shutdown, cancellation, or (with
    /// ``WorkerConfiguration/exitWhenIdle``) an empty queue.
    ///
    /// It never returns because of a broker error: while Redis is unreachable it retries with a
    /// growing delay (up to 5 s) and logs the outage.
    public func run() async throws {
        startedAt.withLock { $0 = .now }
        await withTaskCancellationOrGracefulShutdownHandler {
            guard await prepare() else { return }
            let fetcher = broker.makeFetcher(wait: configuration.pollInterval)
            logger.info("worker started", metadata: [
                "worker.consumer": "\(configuration.consumerName)", "worker.concurrency": "\(configuration.concurrency)",
                "worker.tasks": "\(handlers.types.joined(separator: ","))",
            ])
            await withDiscardingTaskGroup { group in
                group.addTask { await self.maintain() }
                group.addTask { await self.leases.run(broker: self.broker, logger: self.logger) }
                await fetchLoop(fetcher, group: &group)
                let running = slots.running
                if running > 0 {
                    logger.info("waiting for running jobs to finish", metadata: [
                        "worker.running": "\(running)", "worker.grace": "\(configuration.shutdownGracePeriod)",
                    ])
                }
                if await !slots.waitUntilEmpty(timeout: configuration.shutdownGracePeriod) {
                    logger.warning("grace period over: leaving unfinished jobs to be claimed after their lease", metadata: [
                        "worker.running": "\(slots.running)",
                    ])
                }
                await completions.waitUntilWritten()
                slots.close()
                group.cancelAll()
            }
            await fetcher.close()
            logger.info("worker stopped", metadata: ["worker.processed": "\(processedCount)"])
        } onCancelOrGracefulShutdown: {
            self.slots.close()
        }
    }

    /// Creates the consumer group, retrying while the broker is unreachable; false if told to
    /// stop first.
    private func prepare() async -> Bool {
        var failures = 0
        while !slots.isClosed {
            do {
                for warning in try await broker.prepare() {
                    logger.error("\(warning)")
                }
                if failures > 0 { logger.info("job broker reachable again") }
                return true
            } catch {
                failures += 1
                if failures == 1 || failures % 30 == 0 {
                    logger.warning("cannot prepare the job queue; retrying", metadata: ["error": "\(error)"])
                }
                await pause(after: failures)
            }
        }
        return false
    }

    /// Fetches while slots are free, until shutdown or an idle exit.
    ///
    /// Deliveries are fetched, and then started, in batches sized by ``WorkerPrefetch``: with
    /// fast handlers one read feeds hundreds of jobs and one script starts dozens, which then
    /// run as slots free up; with slow ones both are exactly the free slots. Whatever waited a
    /// third of the lease without a free slot is handed back instead: its lease would soon run
    /// out and another worker claim it while this one runs it.
    private func fetchLoop(_ fetcher: any JobFetcher, group: inout DiscardingTaskGroup) async {
        let reclaimInterval = min(max(broker.options.lease / 2, .milliseconds(100)), .seconds(5))
        var lastReclaim = ContinuousClock.now - reclaimInterval
        var reclaimAgain = false
        var failures = 0
        var backlog = WorkerBacklog(freshness: broker.options.lease / 3)
        // The last fetch got fewer deliveries than it asked for: the stream may be empty.
        var drained = false
        fetching: while true {
            let free = await slots.waitForFree()
            if free == 0 { break }
            do {
                if !backlog.hasReady {
                    if !backlog.hasFetched {
                        if drained, try await idleExitDue() {
                            logger.info("queue is empty: exiting as asked (exit when idle)")
                            break fetching
                        }
                        var deliveries: [JobDelivery] = []
                        let batch = prefetch.fetchSize(free: free)
                        if reclaimAgain || ContinuousClock.now - lastReclaim >= reclaimInterval {
                            lastReclaim = .now
                            deliveries = try await broker.reclaim(consumer: configuration.consumerName, max: batch)
                            // A dead worker may have held a whole prefetched batch: keep claiming
                            // while claims come back full, not one batch per interval.
                            reclaimAgain = deliveries.count == batch
                            if !deliveries.isEmpty {
                                logger.info("claimed jobs whose worker stopped renewing their lease", metadata: [
                                    "worker.claimed": "\(deliveries.count)",
                                ])
                            }
                        }
                        let wanted = batch - deliveries.count
                        if wanted > 0 {
                            let fetched = try await fetcher.fetch(consumer: configuration.consumerName, max: wanted)
                            drained = fetched.count < wanted
                            deliveries += fetched
                        }
                        backlog.addFetched(deliveries)
                    }
                    if failures > 0 {
                        logger.info("job broker reachable again")
                        failures = 0
                    }
                    // Fetched after shutdown began: handed back below.
                    if slots.isClosed { break }
                    let (fresh, stale) = backlog.takeFetched(prefetch.startSize(free: free))
                    await handBack(stale)
                    backlog.addReady(await start(fresh))
                }
                // No shutdown check here: what `start` just started is in flight (its record says
                // running, its attempt is counted), so it runs within the grace period instead of
                // going back to the queue, for up to the slots that were free.
                let (runnable, stale) = backlog.takeReady(free)
                await handBack(stale)
                for (lease, payload, fetched) in runnable {
                    slots.acquire()
                    group.addTask { await self.run(lease, payload: payload, fetched: fetched) }
                }
            } catch {
                failures += 1
                if failures == 1 || failures % 30 == 0 {
                    logger.warning("fetching jobs failed; retrying", metadata: ["error": "\(error)", "worker.failures": "\(failures)"])
                }
                if let queueError = error as? JobQueueError, queueError.code == .unexpectedReply {
                    logger.error("unexpected broker reply", metadata: ["error": "\(queueError)"])
                }
                await pause(after: failures)
            }
        }
        // Held but never run: hand them straight back instead of letting them wait out a lease in
        // this worker's pending list.
        await handBack(backlog.removeAll())
    }

    private func handBack(_ deliveries: [JobDelivery]) async {
        for delivery in deliveries {
            logger.debug("handing a delivery back to the queue", metadata: ["job.id": "\(delivery.jobID)"])
            try? await broker.release(delivery, consumer: configuration.consumerName)
        }
    }

    /// With ``WorkerConfiguration/exitWhenIdle``: whether nothing runs here and the whole queue
    /// has nothing queued, running or retrying (after this worker's last completions are stored).
    private func idleExitDue() async throws -> Bool {
        guard configuration.exitWhenIdle else { return false }
        // The last jobs may still be finishing: waiting for them beats a blocking read that
        // would only time out.
        guard await slots.waitUntilEmpty(timeout: configuration.pollInterval) else { return false }
        await completions.waitUntilWritten()
        return try await queueIsIdle()
    }

    /// Moves retrying jobs back when due, and measures the queue's depth, until cancelled.
    private func maintain() async {
        var lastDepth = ContinuousClock.now - .seconds(60)
        var failures = 0
        while !Task.isCancelled {
            do {
                while try await broker.promoteDue(limit: 200) == 200 {}
                if ContinuousClock.now - lastDepth >= .seconds(5) {
                    lastDepth = .now
                    metrics.depth(try await broker.counts())
                }
                failures = 0
            } catch {
                failures += 1
                if failures == 1 || failures % 60 == 0 {
                    logger.warning("moving retrying jobs back failed; retrying", metadata: ["error": "\(error)"])
                }
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
    }

    private func queueIsIdle() async throws -> Bool {
        let counts = try await broker.counts()
        return (counts[.queued] ?? 0) + (counts[.running] ?? 0) + (counts[.retrying] ?? 0) == 0
    }

    /// Waits after the n-th consecutive failure: 100 ms doubling to 5 s, or less if told to stop.
    private func pause(after failures: Int) async {
        let delay = min(Duration.milliseconds(100) * (1 << min(failures - 1, 6)), .seconds(5))
        let deadline = ContinuousClock.now + delay
        while ContinuousClock.now < deadline, !slots.isClosed, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    func nextToken() -> String {
        "\(tokenPrefix)-\(tokenCounter.add(1, ordering: .relaxed).newValue)"
    }

    func countFinished() {
        finished.add(1, ordering: .relaxed)
    }
}
