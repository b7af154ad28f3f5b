import Foundation
import Testing

@testable import JobsKit

/// The contract every queue backend meets, written once and run against Redis Streams and the
/// in-process queue, so the embedded default cannot drift from the real one.
@Suite("JobQueue conformance")
struct JobQueueConformanceTests {
    @Test("enqueue creates a queued record that record, list and counts all see", arguments: QueueBackend.all)
    func enqueueAndInspect(backend: QueueBackend) async throws {
        try await withQueue(backend) { fixture in
            let queue = fixture.queue
            let id = try await queue.enqueue(type: TaskName.scrapeURL, payload: ScrapeURLPayload(jobID: "ingest-1", url: "https://example.com"))
            let record = try #require(try await queue.record(id: id))
            #expect(record.id == id)
            #expect(record.type == "scrape_url")
            #expect(record.status == .queued)
            #expect(record.attempts == 0)
            #expect(try JSONDecoder().decode(ScrapeURLPayload.self, from: record.payload).url == "https://example.com")
            #expect(abs(record.createdAt.timeIntervalSinceNow) < 60)
            #expect(try await queue.list(status: .queued).map(\.id) == [id])
            #expect(try await queue.list(status: .running).isEmpty)
            #expect(try await queue.counts()[.queued] == 1)
            #expect(try await queue.record(id: "no-such-job") == nil)
        }
    }

    @Test("a record's JSON has the documented snake_case fields, ISO 8601 dates and the result inline", arguments: QueueBackend.all)
    func recordJSON(backend: QueueBackend) async throws {
        try await withQueue(backend) { fixture in
            let queue = fixture.queue
            let id = try await queue.enqueue(type: "t", payload: json(#"{"secret_document":"x"}"#))
            let (lease, _) = try await queue.startOne(consumer: "w1")
            #expect(try await queue.complete(lease, result: json(#"{"chunks":3}"#)))
            let record = try #require(try await queue.record(id: id))
            let object = try JSONDecoder().decode([String: JSONValue].self, from: JSONEncoder().encode(record))
            #expect(object["id"] == .string(id))
            #expect(object["status"] == .string("succeeded"))
            #expect(object["attempts"] == .number(1))
            #expect(object["result"] == .object(["chunks": .number(3)]))
            #expect(object["error"] == .null)
            #expect(object["payload"] == nil)
            guard case .string(let created) = object["created_at"], case .string(let finished) = object["finished_at"] else {
                Issue.record("created_at and finished_at must be strings: \(object)")
                return
            }
            let parse = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
            // Whole milliseconds are written: up to 1 ms apart, plus floating-point slack.
            #expect(abs(try parse.parse(created).timeIntervalSince(record.createdAt)) < 0.0015)
            #expect(try parse.parse(finished) >= parse.parse(created))
            #expect(created.hasSuffix("Z"))
        }
    }

    @Test("the same idempotency key twice gives one job", arguments: QueueBackend.all)
    func idempotencyKey(backend: QueueBackend) async throws {
        try await withQueue(backend) { fixture in
            let queue = fixture.queue
            let first = try await queue.enqueue(type: "t", payload: json("{}"), idempotencyKey: "doc-42")
            let second = try await queue.enqueue(type: "t", payload: json(#"{"other":1}"#), idempotencyKey: "doc-42")
            let unkeyed = try await queue.enqueue(type: "t", payload: json("{}"))
            #expect(first == second)
            #expect(unkeyed != first)
            #expect(try await queue.counts()[.queued] == 2)
            #expect(try await queue.record(id: first)?.idempotencyKey == "doc-42")
            #expect(try await queue.record(id: first)?.payload == json("{}"))
            // One delivery for the keyed job, one for the other: nothing else to fetch.
            let one = try #require(try await queue.fetchOne())
            let two = try #require(try await queue.fetchOne())
            #expect(Set([one.jobID, two.jobID]) == [first, unkeyed])
            #expect(try await queue.fetchOne(timeout: .milliseconds(300)) == nil)
        }
    }

    @Test("a started job that completes succeeds with its result and is acknowledged", arguments: QueueBackend.all)
    func completeAcknowledges(backend: QueueBackend) async throws {
        try await withQueue(backend, options: JobQueueOptions(lease: .milliseconds(200))) { fixture in
            let queue = fixture.queue
            let id = try await queue.enqueue(type: "t", payload: json(#"{"n":1}"#))
            let (lease, payload) = try await queue.startOne(consumer: "w1")
            #expect(lease.jobID == id && lease.attempt == 1 && payload == json(#"{"n":1}"#))
            let running = try #require(try await queue.record(id: id))
            #expect(running.status == .running && running.worker == "w1" && running.deliveries == 1)
            #expect(try await queue.reportProgress(lease, fraction: 0.5, message: "half way"))
            #expect(try await queue.record(id: id)?.progress == 0.5)
            #expect(try await queue.record(id: id)?.progressMessage == "half way")

            #expect(try await queue.complete(lease, result: json(#"{"chunks":3}"#)))
            let done = try #require(try await queue.record(id: id))
            #expect(done.status == .succeeded && done.result == json(#"{"chunks":3}"#) && done.progress == 1)
            #expect(done.finishedAt != nil)
            let counts = try await queue.counts()
            #expect(counts[.succeeded] == 1 && counts[.running] == 0)
            // Acknowledged: after the lease there is nothing to reclaim, and nothing new to fetch.
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await queue.reclaim(consumer: "w2", max: 10).isEmpty)
            #expect(try await queue.fetchOne(timeout: .milliseconds(300)) == nil)
            // A second completion of the same attempt changes nothing.
            #expect(try await queue.complete(lease, result: nil) == false)
        }
    }

    @Test("failures wait out a growing backoff, then the job is dead-lettered with its last error", arguments: QueueBackend.all)
    func retriesThenDead(backend: QueueBackend) async throws {
        let policy = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(400), maxDelay: .seconds(5))
        try await withQueue(backend, options: JobQueueOptions(retry: policy)) { fixture in
            let queue = fixture.queue
            let id = try await queue.enqueue(type: "flaky", payload: json("{}"))
            for attempt in 1...3 {
                let (lease, _) = try await queue.startOne()
                #expect(lease.attempt == attempt)
                let failedAt = ContinuousClock.now
                let outcome = try await queue.fail(lease, error: "boom \(attempt)", retryDelay: policy.delay(afterAttempt: attempt))
                if attempt < 3 {
                    guard case .retrying(let due) = outcome else {
                        Issue.record("attempt \(attempt) should retry, got \(outcome)")
                        return
                    }
                    let record = try #require(try await queue.record(id: id))
                    #expect(record.status == .retrying && record.nextRunAt == due)
                    #expect(try await queue.counts()[.retrying] == 1)
                    // Not due yet: nothing moves (checked only while surely early, as a loaded
                    // machine may take longer than the backoff to get here).
                    var promoted = try await queue.promoteDue(limit: 10)
                    if ContinuousClock.now - failedAt < policy.ceiling(afterAttempt: attempt) / 2 {
                        #expect(promoted == 0)
                    }
                    #expect(try await eventually(timeout: .seconds(5)) {
                        promoted += try await queue.promoteDue(limit: 10)
                        return promoted == 1
                    })
                } else {
                    #expect(outcome == .dead)
                }
            }
            let dead = try #require(try await queue.record(id: id))
            #expect(dead.status == .dead && dead.attempts == 3 && dead.error == "boom 3")
            #expect(dead.retryDelays.count == 2)
            for (index, delay) in dead.retryDelays.enumerated() {
                let ceiling = policy.ceiling(afterAttempt: index + 1)
                #expect(delay >= ceiling / 2 - .milliseconds(1) && delay <= ceiling)
            }
            #expect(dead.retryDelays[1] >= dead.retryDelays[0])
            #expect(try await queue.list(status: .dead).map(\.id) == [id])
        }
    }

    @Test("retry re-queues a dead job with fresh attempts; purge deletes final records only", arguments: QueueBackend.all)
    func retryAndPurge(backend: QueueBackend) async throws {
        try await withQueue(backend, options: JobQueueOptions(retry: RetryPolicy(maxAttempts: 1))) { fixture in
            let queue = fixture.queue
            let id = try await queue.enqueue(type: "t", payload: json("{}"))
            let (lease, _) = try await queue.startOne()
            #expect(try await queue.fail(lease, error: "no", retryDelay: .milliseconds(10)) == .dead)
            #expect(try await queue.retry(id: "no-such-job") == false)
            #expect(try await queue.retry(id: id))
            let requeued = try #require(try await queue.record(id: id))
            #expect(requeued.status == .queued && requeued.attempts == 0)
            #expect(try await queue.list(status: .dead).isEmpty)
            #expect(try await queue.retry(id: id) == false)  // queued: nothing to retry

            let (again, _) = try await queue.startOne()
            #expect(again.attempt == 1)
            #expect(try await queue.fail(again, error: "bad input", retryDelay: nil) == .failed)
            await #expect(throws: JobQueueError.self) { try await queue.purge(status: .queued) }
            await #expect(throws: JobQueueError.self) { try await queue.list(status: .queued, limit: 0) }
            #expect(try await queue.purge(status: .dead) == 0)
            #expect(try await queue.purge(status: .failed) == 1)
            #expect(try await queue.record(id: id) == nil)
            #expect(try await queue.counts().values.reduce(0, +) == 0)
        }
    }

    @Test("a permanent failure is final at once", arguments: QueueBackend.all)
    func permanentFailure(backend: QueueBackend) async throws {
        try await withQueue(backend) { fixture in
            let queue = fixture.queue
            let id = try await queue.enqueue(type: "t", payload: json("{}"))
            let (lease, _) = try await queue.startOne()
            #expect(try await queue.fail(lease, error: "unsupported document", retryDelay: nil) == .failed)
            let record = try #require(try await queue.record(id: id))
            #expect(record.status == .failed && record.attempts == 1 && record.error == "unsupported document")
            #expect(try await queue.promoteDue(limit: 10) == 0)
            #expect(try await queue.fetchOne(timeout: .milliseconds(300)) == nil)
        }
    }

    @Test("an unrenewed lease expires: another worker takes the job over, and the first is fenced out", arguments: QueueBackend.all)
    func leaseExpiryAndFencing(backend: QueueBackend) async throws {
        try await withQueue(backend, options: JobQueueOptions(lease: .milliseconds(300))) { fixture in
            let queue = fixture.queue
            let id = try await queue.enqueue(type: "t", payload: json("{}"))
            let (stalled, _) = try await queue.startOne(consumer: "stalled")
            let startedAt = ContinuousClock.now
            let early = try await queue.reclaim(consumer: "rescuer", max: 10)
            if ContinuousClock.now - startedAt < .milliseconds(250) {
                #expect(early.isEmpty)  // the lease is still valid
            }

            var reclaimed = early
            #expect(try await eventually(timeout: .seconds(5)) {
                if reclaimed.isEmpty { reclaimed = try await queue.reclaim(consumer: "rescuer", max: 10) }
                return !reclaimed.isEmpty
            })
            #expect(reclaimed.map(\.jobID) == [id])
            guard case .run(let rescue, _) = try await queue.start(reclaimed[0], consumer: "rescuer", token: "t2") else {
                Issue.record("the reclaimed delivery should start")
                return
            }
            #expect(rescue.attempt == 2)
            // The stalled worker wakes up: it can neither renew, report, complete nor fail.
            #expect(try await queue.renew(stalled) == false)
            #expect(try await queue.reportProgress(stalled, fraction: 0.9, message: nil) == false)
            #expect(try await queue.complete(stalled, result: json(#""stale""#)) == false)
            #expect(try await queue.fail(stalled, error: "late", retryDelay: .seconds(1)) == .stale)
            #expect(try await queue.complete(rescue, result: json(#""fresh""#)))
            let record = try #require(try await queue.record(id: id))
            #expect(record.status == .succeeded && record.result == json(#""fresh""#))
            #expect(record.attempts == 2 && record.deliveries == 2 && record.worker == "rescuer")
        }
    }

    @Test("renewing keeps a long job's lease: nobody can take it over", arguments: QueueBackend.all)
    func renewalKeepsLease(backend: QueueBackend) async throws {
        try await withQueue(backend, options: JobQueueOptions(lease: .seconds(1))) { fixture in
            let queue = fixture.queue
            try await queue.enqueue(type: "t", payload: json("{}"))
            let (lease, _) = try await queue.startOne(consumer: "busy")
            for _ in 0..<8 {
                try await Task.sleep(for: .milliseconds(250))
                #expect(try await queue.renew(lease))
                #expect(try await queue.reclaim(consumer: "thief", max: 10).isEmpty)
            }
            #expect(try await queue.complete(lease, result: nil))
        }
    }

    @Test("a job whose workers keep dying is dead-lettered once its attempts are used up", arguments: QueueBackend.all)
    func crashLoopGoesDead(backend: QueueBackend) async throws {
        let options = JobQueueOptions(retry: RetryPolicy(maxAttempts: 2), lease: .milliseconds(200))
        try await withQueue(backend, options: options) { fixture in
            let queue = fixture.queue
            let id = try await queue.enqueue(type: "oom", payload: json("{}"))
            _ = try await queue.startOne(consumer: "dies-1")
            for consumer in ["dies-2", "finds-it-dead"] {
                var reclaimed: [JobDelivery] = []
                #expect(try await eventually(timeout: .seconds(5)) {
                    reclaimed = try await queue.reclaim(consumer: consumer, max: 10)
                    return !reclaimed.isEmpty
                })
                let outcome = try await queue.start(reclaimed[0], consumer: consumer, token: UUID().uuidString)
                if consumer == "dies-2" {
                    guard case .run(let lease, _) = outcome else {
                        Issue.record("the second attempt should start, got \(outcome)")
                        return
                    }
                    #expect(lease.attempt == 2)
                } else {
                    #expect(outcome == .deadLettered(type: "oom"))
                }
            }
            let record = try #require(try await queue.record(id: id))
            #expect(record.status == .dead && record.attempts == 2 && record.deliveries == 3)
            #expect(record.error?.hasPrefix("abandoned") == true)
            #expect(try await queue.reclaim(consumer: "later", max: 10).isEmpty)
        }
    }

    @Test("a fetched delivery that was never started can be handed straight back", arguments: QueueBackend.all)
    func releaseUnstarted(backend: QueueBackend) async throws {
        try await withQueue(backend, options: JobQueueOptions(lease: .seconds(30))) { fixture in
            let queue = fixture.queue
            let id = try await queue.enqueue(type: "t", payload: json("{}"))
            let delivery = try #require(try await queue.fetchOne(consumer: "leaving"))
            // Only the consumer that holds a delivery can hand it back.
            try await queue.release(delivery, consumer: "somebody-else")
            #expect(try await queue.fetchOne(consumer: "staying", timeout: .milliseconds(300)) == nil)
            try await queue.release(delivery, consumer: "leaving")
            // Available at once, not after the 30 s lease.
            let again = try #require(try await queue.fetchOne(consumer: "staying", timeout: .seconds(2)))
            #expect(again.jobID == id && again.deliveryID != delivery.deliveryID)
            // The old delivery is stale now.
            #expect(try await queue.start(delivery, consumer: "leaving", token: "x") == .skipped(reason: "stale"))
            guard case .run(let lease, _) = try await queue.start(again, consumer: "staying", token: "y") else {
                Issue.record("the new delivery should start")
                return
            }
            #expect(lease.attempt == 1)
        }
    }

    @Test("a retrying job can be run at once with retry(id:)", arguments: QueueBackend.all)
    func retryNow(backend: QueueBackend) async throws {
        try await withQueue(backend) { fixture in
            let queue = fixture.queue
            let id = try await queue.enqueue(type: "t", payload: json("{}"))
            let (lease, _) = try await queue.startOne()
            #expect(try await queue.fail(lease, error: "later", retryDelay: .seconds(3600)) != .stale)
            #expect(try await queue.retry(id: id))
            let (again, _) = try await queue.startOne(timeout: .seconds(2))
            #expect(again.jobID == id && again.attempt == 2)
        }
    }

    @Test("cleanup re-queues a running job whose delivery was lost, and drops index entries of vanished records",
          arguments: QueueBackend.all)
    func cleanupRepairs(backend: QueueBackend) async throws {
        try await withQueue(backend, options: JobQueueOptions(lease: .milliseconds(200))) { fixture in
            let queue = fixture.queue
            let lost = try await queue.enqueue(type: "t", payload: json("{}"))
            let vanished = try await queue.enqueue(type: "t", payload: json("{}"))
            let (lease, _) = try await queue.startOne()
            let (other, _) = try await queue.startOne()
            let (lostLease, vanishedLease) = lease.jobID == lost ? (lease, other) : (other, lease)
            #expect(try await queue.complete(vanishedLease, result: nil))
            try await fixture.deleteRecord(vanished)
            try await fixture.loseDelivery(JobDelivery(deliveryID: lostLease.deliveryID, jobID: lost))

            try await Task.sleep(for: .milliseconds(300))
            let report = try await queue.cleanup(except: "tester")
            #expect(report.requeued == 1)
            // Redis keeps status indexes that must lose the deleted record's entry; the in-process
            // queue has none, its listing reads the records themselves.
            #expect(report.removedIndexEntries >= (backend.name == "redis" ? 1 : 0))
            #expect(try await queue.record(id: lost)?.status == .queued)
            #expect(try await queue.list(status: .succeeded).isEmpty)
            let (again, _) = try await queue.startOne()
            #expect(again.jobID == lost && again.attempt == 2)
            // Nothing left to repair.
            #expect(try await queue.cleanup(except: "tester") == CleanupReport())
        }
    }

    @Test("finished records expire after the retention period", arguments: QueueBackend.all)
    func retention(backend: QueueBackend) async throws {
        try await withQueue(backend, options: JobQueueOptions(retention: .seconds(1))) { fixture in
            let queue = fixture.queue
            let id = try await queue.enqueue(type: "t", payload: json("{}"))
            let (lease, _) = try await queue.startOne()
            #expect(try await queue.complete(lease, result: nil))
            #expect(try await queue.record(id: id) != nil)
            #expect(try await eventually(timeout: .seconds(5)) { try await queue.record(id: id) == nil })
        }
    }

    @Test("a batch of deliveries starts and completes with one outcome per job, in order, each fenced by its own token",
          arguments: QueueBackend.all)
    func batches(backend: QueueBackend) async throws {
        try await withQueue(backend, options: JobQueueOptions(lease: .milliseconds(200))) { fixture in
            let queue = fixture.queue
            let ids = try await (0..<3).asyncMap { try await queue.enqueue(type: "t", payload: json(#"{"n":\#($0)}"#)) }
            let fetcher = queue.makeFetcher(wait: .milliseconds(200))
            var deliveries: [JobDelivery] = []
            for _ in 0..<20 where deliveries.count < 3 {
                deliveries += try await fetcher.fetch(consumer: "batcher", max: 3 - deliveries.count)
            }
            await fetcher.close()
            #expect(deliveries.map(\.jobID) == ids)
            try await fixture.deleteRecord(ids[1])

            let outcomes = try await queue.start(deliveries, consumer: "batcher", tokens: ["t0", "t1", "t2"])
            guard outcomes.count == 3, case .run(let first, let payload) = outcomes[0], case .run(let third, _) = outcomes[2] else {
                Issue.record("expected run, skipped, run: \(outcomes)")
                return
            }
            #expect(outcomes[1] == .skipped(reason: "missing"))
            #expect(first.jobID == ids[0] && first.token == "t0" && first.attempt == 1 && payload == json(#"{"n":0}"#))
            #expect(third.jobID == ids[2] && third.token == "t2" && third.attempt == 1)
            #expect(try await queue.counts()[.running] == 2)

            let forged = JobLease(jobID: third.jobID, deliveryID: third.deliveryID, consumer: "batcher", token: "forged",
                                  type: third.type, attempt: 1)
            let answers = try await queue.complete([
                JobCompletion(lease: first, result: json(#"{"ok":true}"#)), JobCompletion(lease: forged, result: nil),
            ])
            #expect(answers == [true, false])
            #expect(try await queue.record(id: ids[2])?.status == .running, "a refused completion changes nothing")
            #expect(try await queue.complete([JobCompletion(lease: third, result: nil)]) == [true])

            let done = try #require(try await queue.record(id: ids[0]))
            #expect(done.status == .succeeded && done.attempts == 1 && done.result == json(#"{"ok":true}"#))
            let other = try #require(try await queue.record(id: ids[2]))
            #expect(other.status == .succeeded && other.attempts == 1 && other.result == nil)
            let counts = try await queue.counts()
            #expect(counts[.running] == 0 && counts[.succeeded] == 2)
            // Everything acknowledged: nothing left to claim.
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await queue.reclaim(consumer: "rescuer", max: 10).isEmpty)
        }
    }
}
