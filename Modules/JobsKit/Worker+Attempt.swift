import Foundation
import Logging
import Synchronization

/// Deliveries, from starting their attempts to recording the outcomes.
extension Worker {
    /// How an attempt ended, as seen by the worker.
    enum AttemptEnd: Sendable {
        case returned(Data?)
        case threw(any Error)
        case timedOut(Duration)
        case leaseLost
    }

    /// Why the worker stopped a handler, when it did: the first reason wins.
    final class StopReason: Sendable {
        private let state = Mutex<AttemptEnd?>(nil)

        var reason: AttemptEnd? { state.withLock { $0 } }

        func set(_ reason: AttemptEnd) {
            state.withLock { $0 = $0 ?? reason }
        }
    }

    /// The longest error text stored in a job record: enough for a stack of causes, not enough to
    /// turn a record into a log file.
    static let maximumErrorLength = 2000

    /// A handler that returned, waiting for its success to be stored.
    struct FinishedAttempt: Sendable {
        let completion: JobCompletion
        let log: Logger
        let started: ContinuousClock.Instant
    }

    /// Starts deliveries with one broker call; returns the jobs to run, each with the instant
    /// its delivery was fetched.
    func start(_ deliveries: [(JobDelivery, ContinuousClock.Instant)]) async -> [(lease: JobLease, payload: Data, at: ContinuousClock.Instant)] {
        guard !deliveries.isEmpty else { return [] }
        let tokens = deliveries.map { _ in nextToken() }
        let outcomes: [StartOutcome]
        do {
            outcomes = try await broker.start(deliveries.map(\.0), consumer: configuration.consumerName, tokens: tokens)
        } catch {
            // Not started: the deliveries stay pending here and are claimed again after their lease.
            logger.warning("could not start jobs; they will be claimed again after their lease", metadata: [
                "job.ids": "\(deliveries.map(\.0.jobID).joined(separator: ","))", "error": "\(error)",
            ])
            return []
        }
        var runnable: [(lease: JobLease, payload: Data, at: ContinuousClock.Instant)] = []
        for ((delivery, fetched), outcome) in zip(deliveries, outcomes) {
            switch outcome {
            case .skipped(let reason):
                logger.debug("delivery skipped", metadata: ["job.id": "\(delivery.jobID)", "job.skip_reason": "\(reason)"])
            case .deadLettered(let type):
                metrics.completed(type, .dead)
                countFinished()
                logger.error("job dead-lettered: its attempts ran out without one finishing (its workers kept dying)", metadata: [
                    "job.id": "\(delivery.jobID)", "job.type": "\(type)",
                ])
            case .run(let lease, let payload):
                runnable.append((lease, payload, fetched))
            }
        }
        return runnable
    }

    /// Runs the handler, frees the slot, and records the outcome. A success joins the next
    /// batch of completions: the slot is free for the next job while it is being stored, and it
    /// is acknowledged only once stored.
    func run(_ lease: JobLease, payload: Data, fetched: ContinuousClock.Instant) async {
        var jobLogger = logger
        // One assignment, not three subscripts: a handler may re-render its metadata on each.
        var metadata = jobLogger.handler.metadata
        metadata["job.id"] = "\(lease.jobID)"
        metadata["job.type"] = "\(lease.type)"
        metadata["job.attempt"] = "\(lease.attempt)"
        jobLogger.handler.metadata = metadata
        let log = jobLogger
        guard let registration = handlers[lease.type] else {
            slots.release()
            await recordFailure(
                lease,
                JobFailure.retryable(
                    "no handler for task type \(lease.type) is registered on worker \(configuration.consumerName)"),
                log: log
            )
            return
        }
        let broker = self.broker
        let context = JobContext(
            jobID: lease.jobID, type: lease.type, attempt: lease.attempt, payload: payload, logger: log
        ) { fraction, message in
            do {
                if try await !broker.reportProgress(lease, fraction: fraction, message: message) {
                    log.debug("progress not stored: the job's lease has passed to another worker")
                }
            } catch {
                log.debug("progress not stored", metadata: ["error": "\(error)"])
            }
        }
        log.debug("job started")
        let started = ContinuousClock.now
        let end = await runHandler(registration, context: context, lease: lease, fetched: fetched)
        let duration = ContinuousClock.now - started
        slots.release()
        metrics.attempt(lease.type, duration)
        prefetch.record(duration)

        switch end {
        case .returned(let result):
            let finished = FinishedAttempt(completion: JobCompletion(lease: lease, result: result), log: log, started: started)
            await completions.submit(finished) { await self.store($0) }
        case .threw(let error):
            if Task.isCancelled {
                // Shutdown outlasted the grace period: leave the delivery unacknowledged, so the
                // job is claimed again after its lease instead of being charged a failure.
                log.notice("job cancelled at shutdown; it will be claimed again after its lease")
                return
            }
            await recordFailure(lease, error, log: log)
        case .timedOut(let limit):
            await recordFailure(lease, JobFailure.retryable("timed out after \(limit)"), log: log)
        case .leaseLost:
            log.warning("job stopped: its lease passed to another worker (this worker stalled or lost the broker)")
        }
    }

    /// Runs the handler while ``LeaseKeeper`` renews the lease, and stops it on a timeout or a
    /// lost lease. The handler runs in a task of its own so that either can cancel it; the
    /// caller's cancellation (shutdown after the grace period) is passed on.
    private func runHandler(
        _ registration: JobHandlerRegistry.Registration, context: JobContext, lease: JobLease, fetched: ContinuousClock.Instant
    ) async -> AttemptEnd {
        let stop = StopReason()
        let handler = Task { try await registration.handler(context) }
        let hold = leases.hold(lease, since: fetched) {
            stop.set(.leaseLost)
            handler.cancel()
        }
        let timer = registration.timeout.map { timeout in
            Task {
                try await Task.sleep(for: timeout)
                stop.set(.timedOut(timeout))
                handler.cancel()
            }
        }
        let result = await withTaskCancellationHandler {
            await handler.result
        } onCancel: {
            handler.cancel()
        }
        timer?.cancel()
        leases.release(hold)
        if let stopped = stop.reason { return stopped }
        switch result {
        case .success(let data): return .returned(data)
        case .failure(let error): return .threw(error)
        }
    }

    /// Stores a batch of successes with one broker call.
    private func store(_ batch: [FinishedAttempt]) async {
        do {
            let stored = try await broker.complete(batch.map(\.completion))
            for (finished, stored) in zip(batch, stored) {
                let log = finished.log
                if stored {
                    metrics.completed(finished.completion.lease.type, .succeeded)
                    countFinished()
                    log.info("job succeeded", metadata: ["job.duration": "\(ContinuousClock.now - finished.started)"])
                } else {
                    log.warning("job finished after its lease passed to another worker: its result was discarded")
                }
            }
        } catch {
            for finished in batch {
                finished.log.error("job finished but its completion could not be recorded; it will run again after its lease",
                                   metadata: ["error": "\(error)"])
            }
        }
    }

    private func recordFailure(_ lease: JobLease, _ error: any Error, log: Logger) async {
        let failure = error as? JobFailure
        let retryable = failure?.isRetryable ?? true
        var message = failure?.message ?? String(describing: error)
        if message.count > Self.maximumErrorLength {
            message = String(message.prefix(Self.maximumErrorLength)) + "…"
        }
        let delay = retryable ? broker.options.retry.delay(afterAttempt: lease.attempt) : nil
        do {
            switch try await broker.fail(lease, error: message, retryDelay: delay) {
            case .retrying(let due):
                metrics.retried(lease.type)
                countFinished()
                log.info("job failed; retrying", metadata: ["error": "\(message)", "job.next_run_at": "\(due)"])
            case .failed:
                metrics.completed(lease.type, .failed)
                countFinished()
                log.warning("job failed permanently", metadata: ["error": "\(message)"])
            case .dead:
                metrics.completed(lease.type, .dead)
                countFinished()
                log.error("job dead-lettered after its last attempt", metadata: ["error": "\(message)"])
            case .stale:
                log.warning("job failed after its lease passed to another worker: the failure was not recorded")
            }
        } catch {
            log.error("job failed and the failure could not be recorded; it will run again after its lease",
                      metadata: ["error": "\(error)"])
        }
    }
}
