import Foundation
import Synchronization

/// Delivery, leases and fencing in memory: the twin of `RedisStreamsQueue+Delivery`.
extension InProcessQueue: JobBroker {
    var diagnosticsLedger: any DiagnosticsLedger { ledger }

    func prepare() async throws -> [String] { [] }

    func makeFetcher(wait: Duration) -> any JobFetcher {
        InProcessFetcher(queue: self, wait: wait)
    }

    func reclaim(consumer: String, max: Int) async throws -> [JobDelivery] {
        let now = ContinuousClock.now
        let lease = options.lease
        return state.withLock { state in
            let expired = state.pending.filter { $0.value.lastSeen + lease <= now }.sorted { $0.key < $1.key }.prefix(max)
            return expired.map { deliveryID, pending in
                state.pending[deliveryID] = .init(jobID: pending.jobID, consumer: consumer, lastSeen: now)
                return JobDelivery(deliveryID: deliveryID, jobID: pending.jobID)
            }
        }
    }

    func start(_ delivery: JobDelivery, consumer: String, token: String) async throws -> StartOutcome {
        let now = Date()
        let maxAttempts = options.retry.maxAttempts
        let retention = options.retention
        return state.withLock { state -> StartOutcome in
            guard let job = state.live(delivery.jobID, now: now) else {
                state.acknowledge(delivery.deliveryID)
                return .skipped(reason: "missing")
            }
            let id = delivery.jobID
            state.jobs[id]?.record.deliveries += 1
            if job.record.status.isFinal {
                state.acknowledge(delivery.deliveryID)
                return .skipped(reason: job.record.status.rawValue)
            }
            if job.deliveryID != delivery.deliveryID {
                state.acknowledge(delivery.deliveryID)
                return .skipped(reason: "stale")
            }
            if job.record.status == .running && job.record.attempts >= maxAttempts {
                state.jobs[id]?.record.error = "abandoned: \(job.record.attempts) attempts started and none finished "
                    + "(the worker died or lost its lease each time)"
                state.finish(id, as: .dead, now: now, retention: retention)
                state.acknowledge(delivery.deliveryID)
                return .deadLettered(type: job.record.type)
            }
            let attempt = job.record.attempts + 1
            state.jobs[id]?.record.attempts = attempt
            state.jobs[id]?.record.status = .running
            state.jobs[id]?.record.worker = consumer
            state.jobs[id]?.record.startedAt = now
            state.jobs[id]?.record.updatedAt = now
            state.jobs[id]?.record.nextRunAt = nil
            state.jobs[id]?.token = token
            let lease = JobLease(
                jobID: id, deliveryID: delivery.deliveryID, consumer: consumer, token: token,
                type: job.record.type, attempt: attempt
            )
            return .run(lease, payload: job.record.payload)
        }
    }

    func renew(_ lease: JobLease) async throws -> Bool {
        let now = ContinuousClock.now
        return state.withLock { state in
            guard state.jobs[lease.jobID]?.token == lease.token,
                  state.pending[lease.deliveryID]?.consumer == lease.consumer else { return false }
            state.pending[lease.deliveryID]?.lastSeen = now
            return true
        }
    }

    func reportProgress(_ lease: JobLease, fraction: Double, message: String?) async throws -> Bool {
        let now = Date()
        return state.withLock { state in
            guard state.jobs[lease.jobID]?.token == lease.token else { return false }
            state.jobs[lease.jobID]?.record.progress = min(1, max(0, fraction))
            if let message { state.jobs[lease.jobID]?.record.progressMessage = message }
            state.jobs[lease.jobID]?.record.updatedAt = now
            return true
        }
    }

    func complete(_ lease: JobLease, result: Data?) async throws -> Bool {
        let now = Date()
        let retention = options.retention
        return state.withLock { state in
            guard let job = state.jobs[lease.jobID], job.token == lease.token, job.record.status == .running else {
                return false
            }
            if let result { state.jobs[lease.jobID]?.record.result = result }
            state.jobs[lease.jobID]?.record.progress = 1
            state.finish(lease.jobID, as: .succeeded, now: now, retention: retention)
            state.acknowledge(lease.deliveryID)
            return true
        }
    }

    func fail(_ lease: JobLease, error: String, retryDelay: Duration?) async throws -> FailOutcome {
        let now = Date()
        let maxAttempts = options.retry.maxAttempts
        let retention = options.retention
        return state.withLock { state in
            guard let job = state.jobs[lease.jobID], job.token == lease.token, job.record.status == .running else {
                return .stale
            }
            let id = lease.jobID
            state.jobs[id]?.record.error = error
            state.jobs[id]?.record.updatedAt = now
            state.jobs[id]?.token = nil
            state.acknowledge(lease.deliveryID)
            guard let retryDelay, job.record.attempts < maxAttempts else {
                let final: JobStatus = retryDelay == nil ? .failed : .dead
                state.finish(id, as: final, now: now, retention: retention)
                return final == .failed ? .failed : .dead
            }
            let milliseconds = RedisStreamsQueue.milliseconds(retryDelay)
            let due = now.addingTimeInterval(Double(milliseconds) / 1000)
            state.jobs[id]?.record.status = .retrying
            state.jobs[id]?.record.nextRunAt = due
            state.jobs[id]?.record.retryDelays.append(.milliseconds(milliseconds))
            state.delayed[id] = due
            return .retrying(at: due)
        }
    }

    func release(_ delivery: JobDelivery, consumer: String) async throws {
        let now = Date()
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard state.pending[delivery.deliveryID]?.consumer == consumer else { return [] }
            state.acknowledge(delivery.deliveryID)
            guard let job = state.jobs[delivery.jobID], job.deliveryID == delivery.deliveryID,
                  !job.record.status.isFinal, job.record.status != .retrying else { return [] }
            state.jobs[delivery.jobID]?.token = nil
            state.enqueueDelivery(of: delivery.jobID, now: now)
            return state.takeWaiters()
        }
        waiters.forEach { $0.resume() }
    }

    func promoteDue(limit: Int) async throws -> Int {
        let now = Date()
        let (moved, waiters) = state.withLock { state -> (Int, [CheckedContinuation<Void, Never>]) in
            let due = state.delayed.filter { $0.value <= now }.sorted { $0.value < $1.value }.prefix(limit).map(\.key)
            var moved = 0
            for id in due {
                state.delayed.removeValue(forKey: id)
                guard state.jobs[id]?.record.status == .retrying else { continue }
                state.enqueueDelivery(of: id, now: now)
                moved += 1
            }
            return (moved, moved > 0 ? state.takeWaiters() : [])
        }
        waiters.forEach { $0.resume() }
        return moved
    }

    func cleanup(except consumer: String) async throws -> CleanupReport {
        let now = Date()
        let maxAttempts = options.retry.maxAttempts
        let retention = options.retention
        let (report, waiters) = state.withLock { state -> (CleanupReport, [CheckedContinuation<Void, Never>]) in
            var report = CleanupReport(removedIndexEntries: state.expire(now: now))
            for (id, job) in state.jobs {
                switch job.record.status {
                case .queued:
                    if let delivery = job.deliveryID, state.isReady(delivery) || state.pending[delivery] != nil { continue }
                    state.enqueueDelivery(of: id, now: now)
                    report.requeued += 1
                case .running:
                    if let delivery = job.deliveryID, state.pending[delivery] != nil { continue }
                    if job.record.attempts >= maxAttempts {
                        state.jobs[id]?.record.error = "abandoned: its delivery was lost after \(job.record.attempts) attempts"
                        state.finish(id, as: .dead, now: now, retention: retention)
                        report.deadLettered += 1
                    } else {
                        state.jobs[id]?.token = nil
                        state.enqueueDelivery(of: id, now: now)
                        report.requeued += 1
                    }
                case .retrying:
                    if state.delayed[id] == nil {
                        state.delayed[id] = now
                        report.requeued += 1
                    }
                case .succeeded, .failed, .dead:
                    continue
                }
            }
            return (report, state.takeWaiters())
        }
        waiters.forEach { $0.resume() }
        return report
    }

    func makeBeatLease(name: String) -> any BeatLease {
        InProcessBeatLease(shared: beatLeaseHolder, token: "\(name)#\(UUID().uuidString.prefix(8).lowercased())")
    }

    func lastBeatTick(_ entry: String) async throws -> Date? {
        state.withLock { $0.beatTicks[entry] }
    }

    func setLastBeatTick(_ entry: String, _ tick: Date) async throws {
        state.withLock { $0.beatTicks[entry] = tick }
    }

    /// Waits until a delivery may be ready, `deadline` passes or the task is cancelled.
    func waitForWork(until deadline: ContinuousClock.Instant) async {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter += 1
            state.activeWaits.insert(state.nextWaiter)
            return state.nextWaiter
        }
        // The timer bounds the wait even when a cancellation raced the registration below.
        let timer = Task {
            try? await Task.sleep(until: deadline, clock: .continuous)
            self.wake(id)
        }
        defer {
            timer.cancel()
            state.withLock { state in
                state.activeWaits.remove(id)
                state.wokenEarly.remove(id)
            }
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let registered = state.withLock { state -> Bool in
                    // Checked under the same lock as every enqueue, so no wake-up is lost.
                    if state.hasReady || state.wokenEarly.remove(id) != nil { return false }
                    state.waiters[id] = continuation
                    return true
                }
                if !registered { continuation.resume() }
            }
        } onCancel: {
            self.wake(id)
        }
    }

    private func wake(_ id: UInt64) {
        state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiters.removeValue(forKey: id) else {
                if state.activeWaits.contains(id) { state.wokenEarly.insert(id) }
                return nil
            }
            return waiter
        }?.resume()
    }
}

/// Reads deliveries of an ``InProcessQueue``, waiting for an enqueue when there are none.
struct InProcessFetcher: JobFetcher {
    let queue: InProcessQueue
    let wait: Duration

    func fetch(consumer: String, max: Int) async throws -> [JobDelivery] {
        let deadline = ContinuousClock.now + wait
        while true {
            let taken = queue.state.withLock { $0.takeReady(max: max, consumer: consumer) }
            if !taken.isEmpty || ContinuousClock.now >= deadline || Task.isCancelled { return taken }
            await queue.waitForWork(until: deadline)
        }
    }

    func close() async {}
}

/// Leadership among beats sharing one ``InProcessQueue`` (normally there is only one).
struct InProcessBeatLease: BeatLease {
    final class Holder: Sendable {
        let lease = Mutex<(token: String, expires: ContinuousClock.Instant)?>(nil)
    }

    let shared: Holder
    let token: String

    func acquire(ttl: Duration) async throws -> Bool {
        let now = ContinuousClock.now
        return shared.lease.withLock { lease in
            if let current = lease, current.expires > now { return false }
            lease = (token, now + ttl)
            return true
        }
    }

    func renew(ttl: Duration) async throws -> Bool {
        let now = ContinuousClock.now
        return shared.lease.withLock { lease in
            guard let current = lease, current.token == token, current.expires > now else { return false }
            lease = (token, now + ttl)
            return true
        }
    }

    func release() async throws {
        shared.lease.withLock { lease in
            if lease?.token == token { lease = nil }
        }
    }

    func holder() async throws -> String? {
        let now = ContinuousClock.now
        return shared.lease.withLock { lease in
            guard let current = lease, current.expires > now else { return nil }
            return current.token
        }
    }
}
