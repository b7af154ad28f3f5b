/// The Redis key layout of one queue.
///
/// Every key starts with the prefix in braces, `{recall:jobs}:…`: a Redis Cluster hashes only
/// the braced part, so the stream, the delayed set, the indexes and the records of a queue share
/// one slot and the Lua scripts may touch them together. No key here carries a TTL except
/// finished job records, idempotency keys and the beat lease: an eviction policy that only
/// evicts keys with a TTL (`volatile-*`) can therefore never take queued work.
struct JobKeys: Sendable {
    /// The consumer group every worker of the queue reads through.
    static let group = "workers"

    let prefix: String
    private let tag: String

    init(prefix: String) {
        self.prefix = prefix
        self.tag = "{\(prefix)}"
    }

    /// The stream of deliveries: entries `id=<job id>`, deleted once acknowledged.
    var stream: String { "\(tag):stream" }
    /// Retrying jobs scored by the millisecond they become due.
    var delayed: String { "\(tag):delayed" }
    /// Job ids with this status, scored by the millisecond they got it; the `dead` index is the
    /// dead-letter set.
    func index(_ status: JobStatus) -> String { "\(tag):status:\(status.rawValue)" }
    /// The job's record (a hash).
    func record(_ id: String) -> String { "\(tag):job:\(id)" }
    /// An idempotency key, holding the id of the job it created.
    func unique(_ key: String) -> String { "\(tag):unique:\(key)" }
    /// The beat's leadership lease.
    var beatLease: String { "\(tag):beat:leader" }
    /// The last tick dispatched per schedule entry (a hash of entry name to milliseconds).
    var beatLastTicks: String { "\(tag):beat:last" }
    /// Diagnostics: job id to number of executions of `diagnostics.sleep` (a hash).
    var diagnosticsExecutions: String { "\(tag):diagnostics:executions" }
    /// Diagnostics: ids of completed `diagnostics.sleep` jobs (a set).
    var diagnosticsCompletions: String { "\(tag):diagnostics:completed" }

    /// The order of statuses in ``scriptKeys(record:)``, which the Lua scripts mirror.
    static let indexedStatuses: [JobStatus] = [.queued, .running, .retrying, .succeeded, .failed, .dead]

    /// `KEYS` for the job scripts: stream, delayed set, the six status indexes, the record, and
    /// optionally an idempotency key. Declaring every key keeps the scripts valid on a Cluster.
    func scriptKeys(record id: String, unique: String? = nil) -> [String] {
        var keys = scriptKeys(records: [id])
        if let unique { keys.append(self.unique(unique)) }
        return keys
    }

    /// `KEYS` for the batch scripts: the same layout with one record per job from `KEYS[9]` on.
    func scriptKeys(records ids: [String]) -> [String] {
        var keys = [stream, delayed]
        keys.reserveCapacity(8 + ids.count)
        keys += Self.indexedStatuses.map(index)
        keys += ids.map(record)
        return keys
    }
}
