import Foundation
import RedisKit

/// ``TaskName/cleanupFailedJobs`` on Redis.
extension RedisStreamsQueue {
    /// Consumers idle this long with nothing pending belong to workers that are gone.
    static let consumerIdleLimit: Duration = .seconds(3600)

    /// Repairs stuck work and removes expired bookkeeping.
    ///
    /// 1. Queued, running and retrying jobs that have not changed for a lease are checked for what
    ///    moves them forward (a stream entry, a pending delivery, a place in the delayed set). The
    ///    scripts keep those together, so a job without one was damaged from outside: the broker
    ///    lost data, someone trimmed the stream or acknowledged by hand. Such jobs are queued
    ///    again, or dead-lettered when they have no attempts left.
    /// 2. Index entries of finished jobs older than the retention, or whose record is gone, are
    ///    removed (the records themselves expire by their TTL).
    /// 3. Consumers of workers that are gone (idle an hour, nothing pending) are deleted.
    ///
    /// Orphaned deliveries of dead workers need no help here: every worker reclaims those
    /// continuously.
    func cleanup(except consumer: String) async throws -> CleanupReport {
        var report = CleanupReport()
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let settled = now - Self.milliseconds(options.lease)
        for status in [JobStatus.queued, .running, .retrying] {
            try await scanIndex(status) { page in
                for (id, score) in page where score <= settled {
                    let outcome = try await run(
                        JobScripts.repair, job: id,
                        args: [JobKeys.group, String(options.retry.maxAttempts), String(Self.milliseconds(options.retention))]
                    ).string
                    switch outcome {
                    case "requeued": report.requeued += 1
                    case "dead": report.deadLettered += 1
                    case "removed": report.removedIndexEntries += 1
                    default: break
                    }
                }
            }
        }
        let expired = now - Self.milliseconds(options.retention)
        for status in [JobStatus.succeeded, .failed, .dead] {
            let index = keys.index(status)
            report.removedIndexEntries += try await redis.send(["ZREMRANGEBYSCORE", index, "-inf", String(expired)]).int ?? 0
            try await scanIndex(status) { page in
                let ids = page.map(\.id)
                let exists = try await redis.pipeline(ids.map { ["EXISTS", keys.record($0)] })
                let gone = zip(ids, exists).filter { $0.1.int == 0 }.map(\.0)
                if !gone.isEmpty {
                    report.removedIndexEntries += try await redis.send(["ZREM", index] + gone).int ?? 0
                }
            }
        }
        report.removedConsumers = try await removeIdleConsumers(except: consumer)
        return report
    }

    /// Walks a status index with `ZSCAN`, which tolerates the changes the visitor makes.
    private func scanIndex(_ status: JobStatus, visit: ([(id: String, score: Int64)]) async throws -> Void) async throws {
        var cursor = "0"
        repeat {
            let reply = try await redis.send(["ZSCAN", keys.index(status), cursor, "COUNT", "500"])
            guard let parts = reply.array, parts.count == 2, let next = parts[0].string, let flat = parts[1].array else {
                throw JobQueueError(.unexpectedReply, "unexpected reply to ZSCAN: \(reply)")
            }
            var page: [(id: String, score: Int64)] = []
            for index in stride(from: 0, to: flat.count - 1, by: 2) {
                guard let id = flat[index].string, let score = flat[index + 1].string.flatMap({ Double($0) }) else { continue }
                page.append((id, Int64(score)))
            }
            if !page.isEmpty { try await visit(page) }
            cursor = next
        } while cursor != "0"
    }

    private func removeIdleConsumers(except current: String) async throws -> Int {
        let reply: RESPValue
        do {
            reply = try await redis.send(["XINFO", "CONSUMERS", keys.stream, JobKeys.group])
        } catch let error as RedisError where error.kind == .server {
            return 0  // no stream or group yet: nothing to clean
        }
        let limit = Self.milliseconds(Self.consumerIdleLimit)
        var removed = 0
        for consumer in reply.array ?? [] {
            let fields = consumer.array ?? []
            var info: [String: RESPValue] = [:]
            for index in stride(from: 0, to: fields.count - 1, by: 2) {
                info[fields[index].string ?? ""] = fields[index + 1]
            }
            guard let name = info["name"]?.string, name != current,
                  info["pending"]?.int == 0, let idle = info["idle"]?.int, Int64(idle) >= limit else { continue }
            let deleted = try await redis.evalScript(
                JobScripts.deleteIdleConsumer, keys: [keys.stream], args: [JobKeys.group, name])
            removed += deleted.int ?? 0
        }
        return removed
    }
}
