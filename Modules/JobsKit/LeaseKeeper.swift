import Logging
import Synchronization

/// Renews the leases of a worker's running jobs from one loop, instead of a timer per job: with
/// thousands of short jobs a second, arming and cancelling a timer for each cost more than
/// running them.
///
/// Each held lease is renewed once a third of the lease has passed since its delivery was
/// fetched or last renewed; the loop looks every sixth of the lease, so a lease is renewed at
/// the latest half-way through. When the broker says another worker holds the job, the keeper
/// calls the job's `lost` action (which stops its handler) and forgets it.
final class LeaseKeeper: Sendable {
    private struct Held {
        let lease: JobLease
        var renewed: ContinuousClock.Instant
        let lost: @Sendable () -> Void
    }

    private let held = Mutex<[Int: Held]>([:])
    private let nextID = Atomic<Int>(0)

    /// Keeps `lease` alive until ``release(_:)``; `since` is when its clock last started.
    func hold(_ lease: JobLease, since: ContinuousClock.Instant, lost: @escaping @Sendable () -> Void) -> Int {
        let id = nextID.add(1, ordering: .relaxed).newValue
        held.withLock { $0[id] = Held(lease: lease, renewed: since, lost: lost) }
        return id
    }

    func release(_ id: Int) {
        _ = held.withLock { $0.removeValue(forKey: id) }
    }

    /// Renews due leases until cancelled.
    func run(broker: any JobBroker, logger: Logger) async {
        let lease = broker.options.lease
        while !Task.isCancelled {
            try? await Task.sleep(for: lease / 6)
            let now = ContinuousClock.now
            let due = held.withLock { held in held.filter { now - $0.value.renewed >= lease / 3 } }
            for (id, entry) in due {
                do {
                    if try await broker.renew(entry.lease) {
                        held.withLock { $0[id]?.renewed = now }
                    } else {
                        release(id)
                        entry.lost()
                    }
                } catch {
                    logger.debug("lease renewal failed", metadata: ["job.id": "\(entry.lease.jobID)", "error": "\(error)"])
                }
            }
        }
    }
}
