import Foundation
import Testing
@testable import ConfigKit

@Suite("Job settings")
struct JobSettingsTests {
    @Test("defaults: five attempts, 30 s lease, a week of retention, hourly cleanup, metrics on 9100")
    func defaults() throws {
        let jobs = try load().settings.jobs
        #expect(jobs.broker == nil && !jobs.brokerIsSeparate)
        #expect(jobs.keyPrefix == "recall:jobs")
        #expect(jobs.maxAttempts == 5 && jobs.leaseSeconds == 30 && jobs.retentionSeconds == 604_800)
        #expect(jobs.backoffBaseMilliseconds == 1000 && jobs.backoffMaxMilliseconds == 600_000)
        #expect(jobs.workerConcurrency == 4 && jobs.shutdownGraceSeconds == 25)
        #expect(jobs.metricsHost == "127.0.0.1" && jobs.metricsPort == 9100)
        #expect(jobs.beatSchedule == "cleanup_failed_jobs=0 * * * *;warm_hot_questions=every 15m" && jobs.beatLeaseSeconds == 10)
    }

    @Test("the broker defaults to the cache's Redis; BROKER_URL names one of its own")
    func broker() throws {
        let shared = try load(["REDIS_URL": "redis://cache:6379/0"]).settings.jobs
        #expect(shared.broker?.host == "cache" && !shared.brokerIsSeparate)
        let separate = try load(["REDIS_URL": "redis://cache:6379/0", "BROKER_URL": "redis://:pw@queue:6380/1"]).settings
        #expect(separate.jobs.broker == .init(host: "queue", port: 6380, username: nil, password: "pw", database: 1))
        #expect(separate.jobs.brokerIsSeparate)
        #expect(separate.redis?.host == "cache")
        let printed = try load(["BROKER_URL": "redis://:pw@queue:6380/1"]).redacted
        #expect(printed.first { $0.name == "BROKER_URL" }?.value == "redis://:***@queue:6380/1")
    }

    @Test("bad job settings are reported with the variable named")
    func problemsReported() {
        let found = problems([
            "BROKER_URL": "rediss://q:1", "JOB_MAX_ATTEMPTS": "0", "JOB_LEASE_SECONDS": "x",
            "JOB_KEY_PREFIX": "{jobs}", "WORKER_METRICS_PORT": "70000",
            "JOB_BACKOFF_BASE_MS": "5000", "JOB_BACKOFF_MAX_MS": "1000",
        ])
        #expect(Set(found.map(\.variable)) == [
            "BROKER_URL", "JOB_MAX_ATTEMPTS", "JOB_LEASE_SECONDS", "JOB_KEY_PREFIX", "WORKER_METRICS_PORT",
            "JOB_BACKOFF_MAX_MS",
        ])
    }
}
