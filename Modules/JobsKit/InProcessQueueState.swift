import Foundation

/// Everything an ``InProcessQueue`` holds, mutated only under its lock.
///
/// It mirrors the Redis layout so that both backends behave alike: `ready` plays the stream's
/// undelivered entries, `pending` the consumer group's pending list, `delayed` the delayed set.
/// Each method here is the in-memory twin of one Lua script in ``JobScripts``.
struct InProcessQueueState {
    struct StoredJob {
        var record: JobRecord
        /// The delivery that currently carries the job (the stream entry id on Redis).
        var deliveryID: String?
        /// The fencing token of the running attempt.
        var token: String?
        /// When a finished record disappears.
        var expiresAt: Date?
    }

    struct Pending {
        var jobID: String
        var consumer: String
        var lastSeen: ContinuousClock.Instant
    }

    var jobs: [String: StoredJob] = [:]
    private(set) var ready: [JobDelivery] = []
    private var readyHead = 0
    var pending: [String: Pending] = [:]
    var delayed: [String: Date] = [:]
    var unique: [String: (id: String, expires: Date)] = [:]
    var beatTicks: [String: Date] = [:]
    private var deliverySequence = 0
    var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    /// Waits in progress, registered or about to be.
    var activeWaits: Set<UInt64> = []
    /// Waits woken (by their timer or a cancellation) before they registered.
    var wokenEarly: Set<UInt64> = []
    var nextWaiter: UInt64 = 0

    var hasReady: Bool { readyHead < ready.count }

    /// Puts the job on the ready list under a new delivery id.
    mutating func enqueueDelivery(of id: String, now: Date) {
        deliverySequence += 1
        let delivery = JobDelivery(deliveryID: String(deliverySequence), jobID: id)
        ready.append(delivery)
        jobs[id]?.deliveryID = delivery.deliveryID
        jobs[id]?.record.status = .queued
        jobs[id]?.record.updatedAt = now
    }

    /// Takes up to `max` ready deliveries for `consumer`.
    mutating func takeReady(max: Int, consumer: String) -> [JobDelivery] {
        var taken: [JobDelivery] = []
        let now = ContinuousClock.now
        while taken.count < max, readyHead < ready.count {
            let delivery = ready[readyHead]
            readyHead += 1
            pending[delivery.deliveryID] = Pending(jobID: delivery.jobID, consumer: consumer, lastSeen: now)
            taken.append(delivery)
        }
        // Drop the consumed prefix once it dominates, so the array does not grow forever.
        if readyHead > 1024 && readyHead * 2 > ready.count {
            ready.removeFirst(readyHead)
            readyHead = 0
        }
        return taken
    }

    /// Whether a delivery is still waiting to be taken.
    func isReady(_ deliveryID: String) -> Bool {
        ready[readyHead...].contains { $0.deliveryID == deliveryID }
    }

    /// Acknowledges a delivery.
    mutating func acknowledge(_ deliveryID: String) {
        pending.removeValue(forKey: deliveryID)
    }

    /// Finishes a job: final status, timestamps, and a record that expires after `retention`.
    mutating func finish(_ id: String, as status: JobStatus, now: Date, retention: Duration) {
        jobs[id]?.record.status = status
        jobs[id]?.record.finishedAt = now
        jobs[id]?.record.updatedAt = now
        jobs[id]?.token = nil
        jobs[id]?.expiresAt = now.addingTimeInterval(Double(RedisStreamsQueue.milliseconds(retention)) / 1000)
    }

    /// The job, unless it does not exist or its record has expired (then it is removed).
    mutating func live(_ id: String, now: Date) -> StoredJob? {
        guard let job = jobs[id] else { return nil }
        if let expiry = job.expiresAt, expiry <= now {
            jobs.removeValue(forKey: id)
            return nil
        }
        return job
    }

    /// Removes expired records and idempotency keys; returns how many records went.
    mutating func expire(now: Date) -> Int {
        let expired = jobs.filter { $0.value.expiresAt.map { $0 <= now } ?? false }.map(\.key)
        expired.forEach { jobs.removeValue(forKey: $0) }
        unique = unique.filter { $0.value.expires > now }
        return expired.count
    }

    /// Takes every waiting fetcher, to be resumed outside the lock.
    mutating func takeWaiters() -> [CheckedContinuation<Void, Never>] {
        defer { waiters.removeAll() }
        return Array(waiters.values)
    }
}
