import Foundation
import JobsKit
import RedisKit
import TestSupport
import Testing

/// `recall jobs …`, run as the real program against jobs a real `recall-worker` ran on the test
/// Redis (each test under its own JOB_KEY_PREFIX).
@Suite("recall jobs", .enabled(if: TestServices.isAvailable(.redis)), .timeLimit(.minutes(3)))
struct JobsCommandTests {
    static func environment() throws -> [String: String] {
        ["REDIS_URL": try TestServices.url(.redis), "JOB_KEY_PREFIX": "apps-jobs-\(UUID().uuidString.prefix(8))",
         "JOB_MAX_ATTEMPTS": "1", "WORKER_METRICS_PORT": "0", "LOG_LEVEL": "error"]
    }

    static func recall(_ arguments: [String], _ environment: [String: String]) async throws -> TestPrograms.Output {
        try await TestPrograms.runDetached("recall", ["jobs"] + arguments, environment: environment)
    }

    static func object(_ output: TestPrograms.Output) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any],
                     "not a JSON object: \(output.standardOutput) \(output.standardError)")
    }

    /// A queue on the same broker and prefix as the `recall` processes of the test.
    static func queue(_ environment: [String: String]) throws -> (RedisStreamsQueue, RedisClient) {
        let redis = RedisClient(configuration: try RedisConfiguration(url: environment["REDIS_URL"]!))
        return (RedisStreamsQueue(redis: redis, keyPrefix: environment["JOB_KEY_PREFIX"]!,
                                  options: JobQueueOptions(retry: RetryPolicy(maxAttempts: 1))), redis)
    }

    @Test("list, show, retry and purge act on the jobs a worker ran, in text and JSON")
    func lifecycle() async throws {
        let environment = try Self.environment()
        let (queue, redis) = try Self.queue(environment)
        let succeeded = try await queue.enqueue(type: TaskName.diagnosticsNoop, payload: Data("{}".utf8))
        let dead = try await queue.enqueue(type: TaskName.diagnosticsFail, payload: Data(#"{"message":"disk on fire"}"#.utf8))
        let worker = try await TestPrograms.runDetached(
            "recall-worker", ["run", "--exit-when-idle", "--diagnostic-tasks"], environment: environment)
        #expect(worker.status == 0, "\(worker.standardError)")

        let list = try await Self.recall(["list", "--json"], environment)
        #expect(list.status == 0, "\(list.standardError)")
        let listed = try Self.object(list)
        let counts = try #require(listed["counts"] as? [String: Int])
        #expect(counts["succeeded"] == 1 && counts["dead"] == 1 && counts["queued"] == 0)
        let ids = (listed["jobs"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(Set(ids) == [succeeded, dead])

        let deadOnly = try await Self.recall(["list", "--status", "dead"], environment)
        #expect(deadOnly.standardOutput.contains(dead) && !deadOnly.standardOutput.contains(succeeded))

        let show = try await Self.recall(["show", dead, "--json"], environment)
        let shown = try Self.object(show)
        #expect(shown["status"] as? String == "dead")
        #expect((shown["error"] as? String)?.contains("disk on fire") == true)
        #expect(shown["payload"] == nil)
        let showText = try await Self.recall(["show", succeeded], environment)
        #expect(showText.standardOutput.contains("status      succeeded"))

        let missing = try await Self.recall(["show", "no-such-job"], environment)
        #expect(missing.status == 1)
        #expect(missing.standardError.contains("no job no-such-job"))

        let retried = try await Self.recall(["retry", dead, "--json"], environment)
        #expect(retried.status == 0)
        #expect(try Self.object(retried)["requeued"] as? Bool == true)
        #expect(try await queue.record(id: dead)?.status == .queued)
        let notRetryable = try await Self.recall(["retry", succeeded], environment)
        #expect(notRetryable.status == 1)

        let refused = try await Self.recall(["purge", "--status", "succeeded"], environment)
        #expect(refused.status != 0)
        #expect(refused.standardError.contains("--yes"))
        let inProgress = try await Self.recall(["purge", "--status", "queued", "--yes"], environment)
        #expect(inProgress.status != 0)
        #expect(inProgress.standardError.contains("work in progress"))
        let purged = try await Self.recall(["purge", "--status", "succeeded", "--yes", "--json"], environment)
        #expect(try Self.object(purged)["deleted"] as? Int == 1)
        #expect(try await queue.record(id: succeeded) == nil)
        #expect(try await queue.record(id: dead) != nil)
        await redis.shutdown()
    }

    @Test("no broker and a dead broker are exit 69 with what to do; help has examples")
    func unavailable() async throws {
        let none = try await Self.recall(["list"], ["LOG_LEVEL": "error"])
        #expect(none.status == 69)
        #expect(none.standardError.contains("set BROKER_URL or REDIS_URL"))
        let port = try FreePort.loopback()
        let dead = try await Self.recall(["list"], ["REDIS_URL": "redis://:hunter2secret@127.0.0.1:\(port)/0"])
        #expect(dead.status == 69)
        #expect(dead.standardError.contains("does not answer"))
        #expect(!dead.standardError.contains("hunter2secret"))
        for command in ["list", "show", "retry", "purge"] {
            let help = try await Self.recall([command, "--help"], [:])
            #expect(help.standardOutput.contains("Example"), "recall jobs \(command) --help has no example")
        }
    }
}
