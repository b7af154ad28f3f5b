import Foundation
import RedisKit
import TestSupport
import Testing

@testable import JobsKit

/// One queue backend for the conformance suite, with the hooks that let a test damage it the way
/// the outside world can (a lost delivery, a deleted record).
struct QueueFixture: Sendable {
    let queue: any JobBroker
    /// Removes a delivery from the pending list as if the broker had lost it.
    let loseDelivery: @Sendable (JobDelivery) async throws -> Void
    /// Deletes a record behind the queue's back (as eviction or a manual DEL would).
    let deleteRecord: @Sendable (String) async throws -> Void
    /// Gives a running job's lease to somebody else, as a worker that took it over would.
    let stealLease: @Sendable (String) async throws -> Void
    let close: @Sendable () async -> Void
}

/// Makes fixtures of one backend; the conformance tests run once per backend.
struct QueueBackend: Sendable, CustomTestStringConvertible {
    let name: String
    let make: @Sendable (JobQueueOptions) async throws -> QueueFixture

    var testDescription: String { name }

    static let inProcess = QueueBackend(name: "in-process") { options in
        let queue = InProcessQueue(options: options)
        return QueueFixture(
            queue: queue,
            loseDelivery: { delivery in queue.state.withLock { $0.acknowledge(delivery.deliveryID) } },
            deleteRecord: { id in _ = queue.state.withLock { $0.jobs.removeValue(forKey: id) } },
            stealLease: { id in queue.state.withLock { $0.jobs[id]?.token = "stolen" } },
            close: {}
        )
    }

    static let redis = QueueBackend(name: "redis") { options in
        let redis = try RedisTestServer.client()
        let queue = RedisStreamsQueue(redis: redis, keyPrefix: RedisTestServer.uniquePrefix(), options: options)
        let keys = queue.keys
        return QueueFixture(
            queue: queue,
            loseDelivery: { delivery in
                _ = try await redis.send(["XACK", keys.stream, JobKeys.group, delivery.deliveryID])
            },
            deleteRecord: { id in _ = try await redis.delete([keys.record(id)]) },
            stealLease: { id in _ = try await redis.send(["HSET", keys.record(id), "token", "stolen"]) },
            close: {
                await RedisTestServer.deleteKeys(of: queue)
                await redis.shutdown()
            }
        )
    }

    /// Every backend the contract applies to; Redis only where `make test` provides one.
    static var all: [QueueBackend] {
        TestServices.isAvailable(.redis) ? [.inProcess, .redis] : [.inProcess]
    }
}

/// The shared test Redis that `make test` starts.
enum RedisTestServer {
    static func url() throws -> String {
        try TestServices.url(.redis)
    }

    static func client(poolSize: Int = 4) throws -> RedisClient {
        RedisClient(configuration: try RedisConfiguration(url: url(), poolSize: poolSize))
    }

    /// A key prefix no other test (or earlier run) uses, so suites can share one Redis.
    static func uniquePrefix() -> String {
        "recall-test:jobs:\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Deletes every key of a queue; best effort, a leftover only costs memory in a throwaway Redis.
    static func deleteKeys(of queue: RedisStreamsQueue) async {
        let pattern = "{\(queue.keyPrefix)}*".replacingOccurrences(of: "{", with: "\\{").replacingOccurrences(of: "}", with: "\\}")
        do {
            for try await keys in queue.redis.scan(match: pattern) {
                _ = try await queue.redis.unlink(keys)
            }
        } catch {}
    }
}

/// Runs `body` with a fresh queue of `backend` and closes it afterwards, whatever happens.
func withQueue<T>(
    _ backend: QueueBackend, options: JobQueueOptions = JobQueueOptions(),
    _ body: (QueueFixture) async throws -> T
) async throws -> T {
    let fixture = try await backend.make(options)
    do {
        let result = try await body(fixture)
        await fixture.close()
        return result
    } catch {
        await fixture.close()
        throw error
    }
}

/// Retries `attempt` every 20 ms until it returns true or `timeout` passes.
func eventually(timeout: Duration, _ attempt: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await attempt() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await attempt()
}

extension JobBroker {
    /// Fetches until one delivery arrives or `timeout` passes.
    func fetchOne(consumer: String = "tester", timeout: Duration = .seconds(5)) async throws -> JobDelivery? {
        let fetcher = makeFetcher(wait: .milliseconds(200))
        let deadline = ContinuousClock.now + timeout
        var found: JobDelivery?
        while found == nil, ContinuousClock.now < deadline {
            found = try await fetcher.fetch(consumer: consumer, max: 1).first
        }
        await fetcher.close()
        return found
    }

    /// Fetches and starts one job; fails the test when there is none to run.
    func startOne(
        consumer: String = "tester", token: String = UUID().uuidString, timeout: Duration = .seconds(5)
    ) async throws -> (JobLease, Data) {
        let delivery = try #require(try await fetchOne(consumer: consumer, timeout: timeout))
        guard case .run(let lease, let payload) = try await start(delivery, consumer: consumer, token: token) else {
            Issue.record("expected the delivery of \(delivery.jobID) to start")
            throw CancellationError()
        }
        return (lease, payload)
    }
}

/// A payload as JSON bytes.
func json(_ text: String) -> Data { Data(text.utf8) }
