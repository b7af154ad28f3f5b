import Foundation

/// What a worker's fetch loop holds beyond its running jobs: deliveries fetched but not started,
/// and jobs started but waiting for a free slot, each with the instant it was fetched.
///
/// Both stay pending on this worker, so their lease clock runs from the fetch on. Whatever waited
/// longer than `freshness` comes out as stale: the loop hands it back to the queue instead of
/// running it, well before another worker could claim it.
struct WorkerBacklog {
    let freshness: Duration
    private var fetched: [(delivery: JobDelivery, at: ContinuousClock.Instant)] = []
    private var nextFetched = 0
    private var ready: [(lease: JobLease, payload: Data, at: ContinuousClock.Instant)] = []
    private var nextReady = 0

    init(freshness: Duration) {
        self.freshness = freshness
    }

    var hasFetched: Bool { nextFetched < fetched.count }
    var hasReady: Bool { nextReady < ready.count }

    mutating func addFetched(_ deliveries: [JobDelivery], at instant: ContinuousClock.Instant = .now) {
        fetched.removeFirst(nextFetched)
        nextFetched = 0
        fetched += deliveries.map { ($0, instant) }
    }

    /// Up to `count` fetched deliveries to start, and the stale ones met on the way.
    mutating func takeFetched(_ count: Int) -> (fresh: [(JobDelivery, ContinuousClock.Instant)], stale: [JobDelivery]) {
        let now = ContinuousClock.now
        var fresh: [(JobDelivery, ContinuousClock.Instant)] = []
        var stale: [JobDelivery] = []
        while fresh.count < count, nextFetched < fetched.count {
            let entry = fetched[nextFetched]
            nextFetched += 1
            if now - entry.at < freshness { fresh.append((entry.delivery, entry.at)) } else { stale.append(entry.delivery) }
        }
        return (fresh, stale)
    }

    mutating func addReady(_ jobs: [(lease: JobLease, payload: Data, at: ContinuousClock.Instant)]) {
        ready.removeFirst(nextReady)
        nextReady = 0
        ready += jobs
    }

    /// Up to `count` started jobs to run now, and the stale ones (as deliveries to hand back).
    mutating func takeReady(_ count: Int) -> (fresh: [(lease: JobLease, payload: Data, at: ContinuousClock.Instant)], stale: [JobDelivery]) {
        let now = ContinuousClock.now
        var fresh: [(lease: JobLease, payload: Data, at: ContinuousClock.Instant)] = []
        var stale: [JobDelivery] = []
        while fresh.count < count, nextReady < ready.count {
            let entry = ready[nextReady]
            nextReady += 1
            if now - entry.at < freshness {
                fresh.append(entry)
            } else {
                stale.append(JobDelivery(deliveryID: entry.lease.deliveryID, jobID: entry.lease.jobID))
            }
        }
        return (fresh, stale)
    }

    /// Empties the backlog: every delivery it held, to hand back.
    mutating func removeAll() -> [JobDelivery] {
        let left = ready[nextReady...].map { JobDelivery(deliveryID: $0.lease.deliveryID, jobID: $0.lease.jobID) }
            + fetched[nextFetched...].map(\.delivery)
        ready = []
        fetched = []
        nextReady = 0
        nextFetched = 0
        return left
    }
}
