import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Dispatches periodic jobs (``BeatSchedule``), with exactly one active beat per queue.
///
/// Any number of beats may run; they elect a leader through a short lease on the broker (taken
/// with `SET NX PX`, renewed by a compare-and-renew script every third of the lease, released by
/// compare-and-delete). Only the leader dispatches, and only while its lease is known to be
/// valid. Each tick is enqueued with the idempotency key `beat:<entry>:<tick ms>` and recorded
/// as the entry's last tick on the broker, so a leader that takes over mid-tick continues from
/// the last recorded tick and can never enqueue a tick twice, and ticks missed while no beat
/// led are dispatched late (up to ``BeatConfiguration/catchUpLimit`` each) rather than lost.
///
/// Each job's payload is `{"schedule": name, "scheduled_at": ISO 8601, "tick_ms": n, "beat": name}`;
/// handlers may ignore it.
///
/// Lifecycle: a swift-service-lifecycle `Service`. Nothing happens until ``run()``; graceful
/// shutdown or cancellation stops it and releases the lease at once, so another beat takes over
/// without waiting for it to expire.
public final class Beat: Service, Sendable {
    /// The entries this beat dispatches.
    public let schedule: BeatSchedule
    /// Lease and naming.
    public let configuration: BeatConfiguration

    private let broker: any JobBroker
    private let logger: Logger
    private let leading = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)

    /// A beat for a queue on Redis, electing its leader among every beat of that queue.
    public convenience init(schedule: BeatSchedule, queue: RedisStreamsQueue, configuration: BeatConfiguration = BeatConfiguration(), logger: Logger) {
        self.init(schedule: schedule, broker: queue, configuration: configuration, logger: logger)
    }

    /// A beat for a queue in this process.
    public convenience init(schedule: BeatSchedule, queue: InProcessQueue, configuration: BeatConfiguration = BeatConfiguration(), logger: Logger) {
        self.init(schedule: schedule, broker: queue, configuration: configuration, logger: logger)
    }

    init(schedule: BeatSchedule, broker: any JobBroker, configuration: BeatConfiguration, logger: Logger) {
        self.schedule = schedule
        self.broker = broker
        self.configuration = configuration
        self.logger = logger
    }

    /// Whether this beat currently leads.
    public var isLeader: Bool { leading.load(ordering: .relaxed) }

    /// Runs until graceful shutdown or cancellation; broker errors are logged and retried.
    public func run() async throws {
        let lease = broker.makeBeatLease(name: configuration.name)
        let ttl = configuration.lease
        let renewEvery = ttl / 3
        var validUntil = ContinuousClock.now
        var nextTicks: [String: Date] = [:]
        var failures = 0
        logger.info("beat started", metadata: [
            "beat.name": "\(configuration.name)", "beat.lease": "\(ttl)",
            "beat.schedule": "\(schedule.entries.map { "\($0.name)=\($0.rule)" }.joined(separator: "; "))",
        ])
        await withTaskCancellationOrGracefulShutdownHandler {
            while !stopping.load(ordering: .relaxed) && !Task.isCancelled {
                let attemptedAt = ContinuousClock.now
                do {
                    if isLeader {
                        if try await lease.renew(ttl: ttl) {
                            validUntil = attemptedAt + ttl
                        } else {
                            leading.store(false, ordering: .relaxed)
                            logger.warning("beat lost its leadership lease to another beat")
                        }
                    } else if try await lease.acquire(ttl: ttl) {
                        validUntil = attemptedAt + ttl
                        leading.store(true, ordering: .relaxed)
                        // Start again from what the broker recorded, not from what this beat saw
                        // when it last led: another leader may have dispatched since.
                        nextTicks = [:]
                        logger.info("beat is now the leader", metadata: ["beat.token": "\(lease.token)"])
                    }
                    if isLeader {
                        try await dispatchDue(&nextTicks, validUntil: validUntil)
                    }
                    failures = 0
                } catch {
                    failures += 1
                    if failures == 1 || failures % 30 == 0 {
                        logger.warning("beat cannot reach the broker; retrying", metadata: ["error": "\(error)"])
                    }
                    if isLeader && ContinuousClock.now >= validUntil {
                        leading.store(false, ordering: .relaxed)
                        logger.warning("beat's leadership lease ran out while the broker was unreachable")
                    }
                }
                var wake = attemptedAt + renewEvery
                if isLeader, let soonest = nextTicks.values.min() {
                    let untilTick = Duration.milliseconds(Int64((soonest.timeIntervalSinceNow * 1000).rounded(.up)))
                    wake = min(wake, ContinuousClock.now + max(untilTick, .milliseconds(5)))
                }
                await sleep(until: wake)
            }
        } onCancelOrGracefulShutdown: {
            self.stopping.store(true, ordering: .relaxed)
        }
        if isLeader {
            leading.store(false, ordering: .relaxed)
            try? await lease.release()
        }
        logger.info("beat stopped", metadata: ["beat.name": "\(configuration.name)"])
    }

    /// Dispatches every entry's due ticks while the lease is known to hold.
    private func dispatchDue(_ nextTicks: inout [String: Date], validUntil: ContinuousClock.Instant) async throws {
        for entry in schedule.entries {
            if nextTicks[entry.name] == nil {
                let last = try await broker.lastBeatTick(entry.name)
                nextTicks[entry.name] = entry.rule.nextTick(after: last ?? Date())
            }
            var due: [Date] = []
            var tick = nextTicks[entry.name]
            let now = Date()
            while let current = tick, current <= now, due.count <= 100_000 {
                due.append(current)
                tick = entry.rule.nextTick(after: current)
            }
            if due.count > configuration.catchUpLimit {
                logger.warning("beat skips ticks missed while no beat led", metadata: [
                    "beat.entry": "\(entry.name)", "beat.skipped": "\(due.count - configuration.catchUpLimit)",
                ])
                due = Array(due.suffix(configuration.catchUpLimit))
            }
            for tick in due {
                // A lease that may have expired means another beat may lead: dispatch nothing.
                guard ContinuousClock.now < validUntil else { return }
                try await dispatch(entry, tick: tick)
                nextTicks[entry.name] = entry.rule.nextTick(after: tick)
            }
            if nextTicks[entry.name] == nil {
                nextTicks[entry.name] = .distantFuture
            }
        }
    }

    private func dispatch(_ entry: BeatSchedule.Entry, tick: Date) async throws {
        let milliseconds = Int64((tick.timeIntervalSince1970 * 1000).rounded())
        let payload: [String: String] = [
            "schedule": entry.name, "scheduled_at": tick.formatted(.iso8601),
            "tick_ms": String(milliseconds), "beat": configuration.name,
        ]
        // The key must outlive any overlap between two leaders, which a lease bounds; an hour
        // is generous and keeps a per-second schedule from piling up keys for the full retention.
        let keyTTL = max(.seconds(3600), configuration.lease * 10)
        let (id, created) = try await broker.enqueue(
            type: entry.task, payload: try JSONEncoder().encode(payload),
            idempotencyKey: "beat:\(entry.name):\(milliseconds)", keyTTL: keyTTL
        )
        try await broker.setLastBeatTick(entry.name, tick)
        if created {
            logger.info("beat dispatched", metadata: [
                "beat.entry": "\(entry.name)", "job.type": "\(entry.task)", "job.id": "\(id)", "beat.tick": "\(milliseconds)",
            ])
        } else {
            logger.notice("beat tick was already dispatched", metadata: [
                "beat.entry": "\(entry.name)", "job.id": "\(id)", "beat.tick": "\(milliseconds)",
            ])
        }
    }

    private func sleep(until deadline: ContinuousClock.Instant) async {
        // Short steps, so a graceful shutdown (which does not cancel) is noticed within 50 ms.
        while ContinuousClock.now < deadline, !stopping.load(ordering: .relaxed), !Task.isCancelled {
            try? await Task.sleep(for: min(deadline - ContinuousClock.now, .milliseconds(50)))
        }
    }
}
