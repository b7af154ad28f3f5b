import Foundation
import RedisKit

/// Delivery, leases and fencing on Redis Streams: the side of the queue that workers use.
extension RedisStreamsQueue: JobBroker {
    var diagnosticsLedger: any DiagnosticsLedger { RedisDiagnosticsLedger(redis: redis, keys: keys) }

    func prepare() async throws -> [String] {
        try await createGroup()
        return try await checkEvictionPolicy().map { [$0] } ?? []
    }

    /// Creates the consumer group from the start of the stream (`0`, not `$`), so that jobs
    /// enqueued before any worker ever ran are delivered too. `MKSTREAM` creates the stream when
    /// nothing was enqueued yet; BUSYGROUP means another worker was first, which is fine.
    func createGroup() async throws {
        do {
            _ = try await redis.send(["XGROUP", "CREATE", keys.stream, JobKeys.group, "0", "MKSTREAM"])
        } catch let error as RedisError where error.serverErrorCode == "BUSYGROUP" {
            return
        }
    }

    func makeFetcher(wait: Duration) -> any JobFetcher {
        RedisStreamsFetcher(queue: self, wait: wait)
    }

    func reclaim(consumer: String, max: Int) async throws -> [JobDelivery] {
        guard max > 0 else { return [] }
        var claimed: [JobDelivery] = []
        var cursor = "0-0"
        // XAUTOCLAIM looks at a bounded number of pending entries per call; a few calls cover a
        // long pending list without holding the server for long.
        for _ in 0..<8 {
            let reply = try await redis.send([
                "XAUTOCLAIM", keys.stream, JobKeys.group, consumer,
                String(Self.milliseconds(options.lease)), cursor, "COUNT", String(max - claimed.count),
            ])
            guard let parts = reply.array, parts.count >= 2, let next = parts[0].string else {
                throw JobQueueError(.unexpectedReply, "unexpected reply to XAUTOCLAIM: \(reply)")
            }
            claimed += try await deliveries(in: parts[1])
            cursor = next
            if cursor == "0-0" || claimed.count >= max { break }
        }
        return claimed
    }

    func start(_ delivery: JobDelivery, consumer: String, token: String) async throws -> StartOutcome {
        try await start([delivery], consumer: consumer, tokens: [token])[0]
    }

    func start(_ deliveries: [JobDelivery], consumer: String, tokens: [String]) async throws -> [StartOutcome] {
        guard !deliveries.isEmpty else { return [] }
        var args = [JobKeys.group, consumer, String(options.retry.maxAttempts), String(Self.milliseconds(options.retention))]
        args.reserveCapacity(args.count + deliveries.count * 3)
        for (delivery, token) in zip(deliveries, tokens) {
            args += [delivery.jobID, delivery.deliveryID, token]
        }
        let reply = try await redis.evalScript(JobScripts.start, keys: keys.scriptKeys(records: deliveries.map(\.jobID)), args: args)
        guard let replies = reply.array, replies.count == deliveries.count else {
            throw JobQueueError(.unexpectedReply, "unexpected reply to the start script: \(reply)")
        }
        return try zip(zip(deliveries, tokens), replies).map { pair, reply in
            try Self.startOutcome(reply, delivery: pair.0, consumer: consumer, token: pair.1)
        }
    }

    private static func startOutcome(_ reply: RESPValue, delivery: JobDelivery, consumer: String, token: String) throws -> StartOutcome {
        guard let parts = reply.array, let kind = parts.first?.string else {
            throw JobQueueError(.unexpectedReply, "unexpected reply to the start script: \(reply)")
        }
        switch kind {
        case "run" where parts.count == 4:
            let lease = JobLease(
                jobID: delivery.jobID, deliveryID: delivery.deliveryID, consumer: consumer, token: token,
                type: parts[1].string ?? "", attempt: parts[3].int ?? 1
            )
            return .run(lease, payload: parts[2].bytes.map { Data($0) } ?? Data())
        case "dead":
            return .deadLettered(type: parts.count > 1 ? parts[1].string ?? "" : "")
        default:
            return .skipped(reason: parts.count > 1 ? parts[1].string ?? kind : kind)
        }
    }

    func renew(_ lease: JobLease) async throws -> Bool {
        let reply = try await redis.evalScript(
            JobScripts.renew, keys: [keys.stream, keys.record(lease.jobID)],
            args: [JobKeys.group, lease.deliveryID, lease.consumer, lease.token]
        )
        return reply.int == 1
    }

    func reportProgress(_ lease: JobLease, fraction: Double, message: String?) async throws -> Bool {
        let reply = try await redis.evalScript(
            JobScripts.progress, keys: [keys.record(lease.jobID)],
            args: [lease.token, String(min(1, max(0, fraction))), message ?? ""]
        )
        return reply.int == 1
    }

    func complete(_ lease: JobLease, result: Data?) async throws -> Bool {
        try await complete([JobCompletion(lease: lease, result: result)])[0]
    }

    func complete(_ completions: [JobCompletion]) async throws -> [Bool] {
        guard !completions.isEmpty else { return [] }
        var args = [JobKeys.group, String(Self.milliseconds(options.retention))]
        args.reserveCapacity(args.count + completions.count * 5)
        for completion in completions {
            let text = completion.result.flatMap { String(data: $0, encoding: .utf8) }
            let lease = completion.lease
            args += [lease.jobID, lease.deliveryID, lease.token, text == nil ? "0" : "1", text ?? ""]
        }
        let reply = try await redis.evalScript(
            JobScripts.complete, keys: keys.scriptKeys(records: completions.map(\.lease.jobID)), args: args)
        guard let replies = reply.array, replies.count == completions.count else {
            throw JobQueueError(.unexpectedReply, "unexpected reply to the complete script: \(reply)")
        }
        return replies.map { $0.int == 1 }
    }

    func fail(_ lease: JobLease, error: String, retryDelay: Duration?) async throws -> FailOutcome {
        let reply = try await run(
            JobScripts.fail, job: lease.jobID,
            args: [
                JobKeys.group, lease.deliveryID, lease.token, error,
                retryDelay.map { String(Self.milliseconds($0)) } ?? "-1",
                String(options.retry.maxAttempts), String(Self.milliseconds(options.retention)),
            ]
        )
        guard let parts = reply.array, let kind = parts.first?.string else {
            throw JobQueueError(.unexpectedReply, "unexpected reply to the fail script: \(reply)")
        }
        switch kind {
        case "retrying":
            let due = parts.count > 1 ? parts[1].int ?? 0 : 0
            return .retrying(at: Date(timeIntervalSince1970: Double(due) / 1000))
        case "failed": return .failed
        case "dead": return .dead
        default: return .stale
        }
    }

    func release(_ delivery: JobDelivery, consumer: String) async throws {
        _ = try await run(JobScripts.release, job: delivery.jobID, args: [JobKeys.group, delivery.deliveryID, consumer])
    }

    func promoteDue(limit: Int) async throws -> Int {
        // Two seconds of slack for a worker clock behind the server's; the script compares with
        // the server's own clock before moving anything.
        let horizon = Int64(Date().timeIntervalSince1970 * 1000) + 2000
        let reply = try await redis.send([
            "ZRANGEBYSCORE", keys.delayed, "-inf", String(horizon), "LIMIT", "0", String(limit),
        ])
        let ids = (reply.array ?? []).compactMap(\.string)
        var moved = 0
        for id in ids where try await run(JobScripts.promote, job: id, args: []).int == 1 {
            moved += 1
        }
        return moved
    }

    func lastBeatTick(_ entry: String) async throws -> Date? {
        let reply = try await redis.send(["HGET", keys.beatLastTicks, entry])
        return reply.string.flatMap(JobRecord.date)
    }

    func setLastBeatTick(_ entry: String, _ tick: Date) async throws {
        _ = try await redis.send(["HSET", keys.beatLastTicks, entry, String(Int64(tick.timeIntervalSince1970 * 1000))])
    }

    func makeBeatLease(name: String) -> any BeatLease {
        RedisBeatLease(redis: redis, key: keys.beatLease, holder: name)
    }

    /// Stream entries (`[[id, [field, value, …]], …]`) as deliveries. An entry without a job id
    /// was not written by this module: it is acknowledged and dropped so it cannot block.
    func deliveries(in reply: RESPValue) async throws -> [JobDelivery] {
        var result: [JobDelivery] = []
        for entry in reply.array ?? [] {
            guard let parts = entry.array, parts.count == 2, let deliveryID = parts[0].string else { continue }
            let fields = parts[1].array ?? []
            var jobID: String?
            for index in stride(from: 0, to: fields.count - 1, by: 2) where fields[index].string == "id" {
                jobID = fields[index + 1].string
            }
            if let jobID {
                result.append(JobDelivery(deliveryID: deliveryID, jobID: jobID))
            } else {
                logger.warning("dropping a stream entry without a job id", metadata: ["job.delivery": "\(deliveryID)"])
                _ = try await redis.pipeline([
                    ["XACK", keys.stream, JobKeys.group, deliveryID], ["XDEL", keys.stream, deliveryID],
                ])
            }
        }
        return result
    }
}
