import Foundation
import Logging
import RedisKit
import TestSupport
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@testable import JobsKit

/// Real `recall-worker` processes against the real test Redis: crashes, poison jobs, backoff,
/// SIGTERM, and beat leadership across processes.
///
/// Serialized: each test runs several processes on a shared 2-core machine, and their timings
/// (leases of 2 s) should not compete with one another.
@Suite("recall-worker processes", .serialized, .enabled(if: TestServices.isAvailable(.redis)))
struct WorkerProcessTests {
    /// A queue of its own on the shared Redis, and the environment that points processes at it.
    struct Scenario {
        let redis: RedisClient
        let queue: RedisStreamsQueue
        let environment: [String: String]

        init(_ settings: [String: String] = [:], options: JobQueueOptions = JobQueueOptions()) throws {
            redis = try RedisTestServer.client()
            queue = RedisStreamsQueue(redis: redis, keyPrefix: RedisTestServer.uniquePrefix(), options: options)
            environment = [
                "REDIS_URL": try RedisTestServer.url(),
                "JOB_KEY_PREFIX": queue.keyPrefix,
                "WORKER_METRICS_PORT": "0",
                "LOG_LEVEL": "info",
            ].merging(settings) { $1 }
        }

        func start(_ arguments: [String], _ extra: [String: String] = [:]) throws -> WorkerProcess {
            try WorkerProcess(arguments, environment: environment.merging(extra) { $1 })
        }

        var ledger: RedisDiagnosticsLedger { RedisDiagnosticsLedger(redis: redis, keys: queue.keys) }

        /// Pending deliveries and stream entries left behind: both must be zero once all is done.
        func leftovers() async throws -> (pending: Int, stream: Int) {
            let summary = try await redis.send(["XPENDING", queue.keys.stream, JobKeys.group])
            let pending = summary.array?.first?.int ?? 0
            let length = try await redis.send(["XLEN", queue.keys.stream]).int ?? 0
            return (pending, length)
        }

        func close() async {
            await RedisTestServer.deleteKeys(of: queue)
            await redis.shutdown()
        }
    }

    @Test("kill -9 mid-job, again and again: every job finishes, none is lost, none is stored twice")
    func killNine() async throws {
        let scenario = try Scenario(["JOB_LEASE_SECONDS": "2", "JOB_MAX_ATTEMPTS": "20"])
        var generator = SplitMix64(seed: 7)
        var ids: [String] = []
        for _ in 0..<120 {
            let milliseconds = Int.random(in: 150...450, using: &generator)
            ids.append(try await scenario.queue.enqueue(type: TaskName.diagnosticsSleep, payload: json(#"{"milliseconds":\#(milliseconds)}"#)))
        }
        let steady = try scenario.start(["run", "--diagnostic-tasks", "--concurrency", "2"])
        var victim = try scenario.start(["run", "--diagnostic-tasks", "--concurrency", "4"])
        let kills = 5
        for _ in 0..<kills {
            try await Task.sleep(for: .milliseconds(1300))
            victim.killHard()
            victim = try scenario.start(["run", "--diagnostic-tasks", "--concurrency", "4"])
        }
        let finished = try await eventually(timeout: .seconds(90)) {
            try await scenario.queue.counts()[.succeeded] == ids.count
        }
        let counts = try await scenario.queue.counts()
        #expect(finished, "not all jobs finished: \(counts)\n\(steady.log.suffix(3000))")
        let executions = try await scenario.ledger.executions()
        let completions = try await scenario.ledger.completions()
        #expect(completions == Set(ids), "every job's effect is stored once")
        let total = executions.values.reduce(0, +)
        // Extra runs come only from jobs in flight on a killed worker (at most its concurrency).
        #expect(total >= ids.count && total - ids.count <= kills * 4, "\(total) executions for \(ids.count) jobs")
        #expect(counts[.dead] == 0 && counts[.queued] == 0 && counts[.running] == 0)
        let leftovers = try await scenario.leftovers()
        #expect(leftovers.pending == 0 && leftovers.stream == 0)
        let rescued = try await scenario.queue.list(status: .succeeded, limit: 200).filter { $0.attempts > 1 }
        #expect(!rescued.isEmpty, "some job should have been claimed again after a kill")
        #expect(await victim.terminate() == 0)
        #expect(await steady.terminate() == 0)
        await scenario.close()
    }

    @Test("kill -9 while a worker of fast jobs holds a prefetched batch: every job still succeeds once, attempts match runs")
    func killNineMidBatch() async throws {
        let scenario = try Scenario(["JOB_LEASE_SECONDS": "2", "JOB_MAX_ATTEMPTS": "20"])
        let queue = scenario.queue
        let ids = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await (0..<375).asyncMap { _ in
                        try await queue.enqueue(type: TaskName.diagnosticsSleep, payload: json(#"{"milliseconds":0}"#))
                    }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let concurrency = 2
        var victim = try scenario.start(["run", "--diagnostic-tasks", "--concurrency", String(concurrency)])
        let kills = 3
        var heldAtKill: [Int] = []
        for round in 1...kills {
            #expect(try await eventually(timeout: .seconds(60)) {
                try await queue.counts()[.succeeded] ?? 0 >= round * 400
            }, "round \(round): \(victim.log.suffix(2000))")
            victim.killHard()
            // Deliveries the dead worker held: those running or awaiting storage, and the prefetched rest.
            let summary = try await scenario.redis.send(["XPENDING", queue.keys.stream, JobKeys.group])
            heldAtKill.append(summary.array?.first?.int ?? 0)
            victim = try scenario.start(["run", "--diagnostic-tasks", "--concurrency", String(concurrency)])
        }
        let finished = try await eventually(timeout: .seconds(90)) { try await queue.counts()[.succeeded] == ids.count }
        let counts = try await queue.counts()
        #expect(finished, "not all jobs finished: \(counts)\n\(victim.log.suffix(3000))")
        #expect(heldAtKill.contains { $0 > concurrency }, "a killed worker should have held more deliveries than it runs at once: \(heldAtKill)")

        let executions = try await scenario.ledger.executions()
        #expect(try await scenario.ledger.completions() == Set(ids), "every job's effect is stored once")
        let records = try await queue.list(status: .succeeded, limit: ids.count + 1)
        #expect(records.count == ids.count)
        var attemptsWithoutRun = 0
        for record in records {
            let runs = executions[record.id] ?? 0
            #expect(runs >= 1 && record.attempts >= runs, "\(record.id): \(record.attempts) attempts, \(runs) runs")
            attemptsWithoutRun += record.attempts - runs
        }
        // A fetched delivery costs no attempt until it is started: only jobs of the last start
        // batch before a kill whose handler had not begun have an attempt without a run.
        #expect(attemptsWithoutRun <= kills * WorkerPrefetch.maximumStartBatch, "\(attemptsWithoutRun) attempts without a run")
        // Extra runs come only from jobs in flight on a killed worker: its running handlers and
        // the finished ones whose success was not stored yet (at most one batch).
        let total = executions.values.reduce(0, +)
        #expect(total >= ids.count && total - ids.count <= kills * (concurrency + WorkerPrefetch.maximumBatch),
                "\(total) executions for \(ids.count) jobs")
        #expect(counts[.dead] == 0 && counts[.queued] == 0 && counts[.running] == 0 && counts[.retrying] == 0)
        let leftovers = try await scenario.leftovers()
        #expect(leftovers.pending == 0 && leftovers.stream == 0)
        #expect(await victim.terminate() == 0)
        await scenario.close()
    }

    @Test("a job that always fails is dead-lettered after JOB_MAX_ATTEMPTS with growing backoff; healthy jobs beside it all succeed")
    func poisonJob() async throws {
        let port = try FreePort.loopback()
        let scenario = try Scenario([
            "JOB_MAX_ATTEMPTS": "3", "JOB_BACKOFF_BASE_MS": "200", "JOB_BACKOFF_MAX_MS": "10000",
            "WORKER_METRICS_PORT": String(port),
        ])
        let poison = try await scenario.queue.enqueue(type: TaskName.diagnosticsFail, payload: json(#"{"message":"poisoned"}"#))
        var healthy: [String] = []
        for _ in 0..<30 {
            healthy.append(try await scenario.queue.enqueue(type: TaskName.diagnosticsSleep, payload: json(#"{"milliseconds":30}"#)))
        }
        let worker = try scenario.start(["run", "--diagnostic-tasks", "--concurrency", "4"])
        #expect(try await eventually(timeout: .seconds(30)) {
            try await scenario.queue.record(id: poison)?.status == .dead
        })
        #expect(try await eventually(timeout: .seconds(30)) { try await scenario.queue.counts()[.succeeded] == healthy.count })
        let dead = try #require(try await scenario.queue.record(id: poison))
        #expect(dead.attempts == 3 && dead.error == "poisoned")
        #expect(try await scenario.queue.list(status: .dead).map(\.id) == [poison])
        // Backoff as configured: after attempt n, between half and all of 200 ms × 2^(n-1).
        #expect(dead.retryDelays.count == 2)
        let policy = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(200), maxDelay: .seconds(10))
        for (index, delay) in dead.retryDelays.enumerated() {
            let ceiling = policy.ceiling(afterAttempt: index + 1)
            #expect(delay >= ceiling / 2 - .milliseconds(1) && delay <= ceiling, "delay \(index + 1): \(delay)")
        }
        #expect(dead.retryDelays[1] > dead.retryDelays[0])

        let metrics = try await httpGet(port: port, path: "/metrics")
        #expect(metrics.contains(#"jobs_completed_total{type="diagnostics.fail",status="dead"} 1"#))
        #expect(metrics.contains(#"jobs_retries_total{type="diagnostics.fail"} 2"#))
        #expect(metrics.contains(#"jobs_completed_total{type="diagnostics.sleep",status="succeeded"} 30"#))
        #expect(metrics.contains("jobs_queue_depth{queue=\"ready\"}"))
        let health = try await httpGet(port: port, path: "/health")
        #expect(health.contains(#""status":"ok""#) && health.contains(#""mode":"run""#))

        // Re-queued from the dead-letter set, it gets fresh attempts (and dies again).
        #expect(try await scenario.queue.retry(id: poison))
        #expect(try await eventually(timeout: .seconds(30)) {
            try await scenario.queue.record(id: poison)?.status == .dead
        })
        #expect(try await scenario.queue.record(id: poison)?.deliveries == 6)
        #expect(await worker.terminate() == 0)
        await scenario.close()
    }

    @Test("SIGTERM drains: the job in flight finishes and is acknowledged, nothing new starts, exit 0")
    func sigtermDrains() async throws {
        let scenario = try Scenario(["WORKER_SHUTDOWN_GRACE_SECONDS": "20"])
        let inFlight = try await scenario.queue.enqueue(type: TaskName.diagnosticsSleep, payload: json(#"{"milliseconds":2500}"#))
        let waiting = try await scenario.queue.enqueue(type: TaskName.diagnosticsSleep, payload: json(#"{"milliseconds":10}"#))
        let worker = try scenario.start(["run", "--diagnostic-tasks", "--concurrency", "1"])
        #expect(try await eventually(timeout: .seconds(20)) {
            try await scenario.queue.record(id: inFlight)?.status == .running
        })
        let signalled = ContinuousClock.now
        let status = await worker.terminate(timeout: .seconds(30))
        #expect(status == 0, "\(worker.log.suffix(2000))")
        #expect(ContinuousClock.now - signalled < .seconds(10))
        #expect(try await scenario.queue.record(id: inFlight)?.status == .succeeded)
        let untouched = try #require(try await scenario.queue.record(id: waiting))
        #expect(untouched.status == .queued && untouched.attempts == 0)
        #expect(try await scenario.ledger.executions() == [inFlight: 1])
        #expect(try await scenario.leftovers().pending == 0)
        await scenario.close()
    }

    @Test("two beat processes: one leader, no tick dispatched twice or missed, takeover after kill -9 of the leader")
    func beatLeadership() async throws {
        let scenario = try Scenario(["BEAT_SCHEDULE": "\(TaskName.diagnosticsNoop)=every 1s", "BEAT_LEASE_SECONDS": "2"])
        let first = try scenario.start(["beat"])
        let leaseKey = scenario.queue.keys.beatLease
        #expect(try await eventually(timeout: .seconds(20)) { try await scenario.redis.get(leaseKey) != nil })
        let second = try scenario.start(["beat"])
        try await Task.sleep(for: .seconds(4))
        let holder = try #require(try await scenario.redis.get(leaseKey).map { String(decoding: $0, as: UTF8.self) })
        let (leader, follower) = holder.contains("-\(first.pid)-") ? (first, second) : (second, first)
        #expect(holder.contains("-\(leader.pid)-"))
        let killedAt = Date()
        leader.killHard()
        try await Task.sleep(for: .seconds(6))
        #expect(await follower.terminate() == 0)

        let jobs = try await scenario.queue.list(status: .queued, limit: 1000)
        let ticks = try jobs.map { ($0, try JSONDecoder().decode(BeatTests.Tick.self, from: $0.payload)) }
            .sorted { $0.1.tickMilliseconds < $1.1.tickMilliseconds }
        #expect(ticks.count >= 9)
        #expect(Set(ticks.map(\.1.tickMilliseconds)).count == ticks.count, "a tick was dispatched twice")
        for (earlier, later) in zip(ticks, ticks.dropFirst()) {
            #expect(later.1.tickMilliseconds - earlier.1.tickMilliseconds == 1000, "a tick was missed")
        }
        let dispatchers = ticks.map(\.1.beat).reduce(into: [String]()) { if $0.last != $1 { $0.append($1) } }
        #expect(dispatchers.count == 2, "one leader, then the other: \(dispatchers)")
        #expect(dispatchers.first?.contains("-\(leader.pid)-") == true)
        // Takeover within the lease plus a renewal interval (and some scheduling slack).
        let firstByFollower = try #require(ticks.first { $0.1.beat.contains("-\(follower.pid)-") })
        #expect(firstByFollower.0.createdAt.timeIntervalSince(killedAt) < 2 + 0.7 + 1.5)
        await scenario.close()
    }

    @Test("a broker whose eviction policy can evict queue keys gets a loud warning")
    func evictionWarning() async throws {
        let server = try PrivateRedis(arguments: ["--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"])
        let redis = RedisClient(configuration: try RedisConfiguration(url: server.url, poolSize: 1))
        let warning = try #require(try await RedisStreamsQueue(redis: redis).checkEvictionPolicy())
        #expect(warning.contains("allkeys-lru"))
        await redis.shutdown()
        let shared = try RedisTestServer.client(poolSize: 1)
        #expect(try await RedisStreamsQueue(redis: shared).checkEvictionPolicy() == nil)
        await shared.shutdown()

        let worker = try WorkerProcess(["run"], environment: ["BROKER_URL": server.url, "WORKER_METRICS_PORT": "0"])
        #expect(await eventually(timeout: .seconds(20)) { worker.log.contains("maxmemory-policy allkeys-lru") })
        #expect(await worker.terminate() == 0)
        #expect(worker.log.contains("error"))
    }

    private func httpGet(port: Int, path: String) async throws -> String {
        let url = try #require(URL(string: "http://127.0.0.1:\(port)\(path)"))
        var lastError: (any Error)?
        for _ in 0..<100 {
            do {
                let (data, _) = try await URLSession.shared.data(from: url)
                return String(decoding: data, as: UTF8.self)
            } catch {
                lastError = error
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        throw lastError ?? URLError(.cannotConnectToHost)
    }
}
