import Foundation
import Logging
import MetricsKit
import RedisKit
import Synchronization

/// The shared response cache in Redis: every process that points at the same Redis and prefix
/// sees the same entries.
///
/// Keys are logical: `k` is stored as `<prefix>:k`, so several deployments (or tests) can share
/// one Redis, and ``clear()`` removes `<prefix>:*` and nothing else. Every entry is written with
/// `SET … PX`, so every key this cache writes carries a TTL: under a `volatile-*` eviction policy
/// only cache keys can be evicted, never a job queue's keys in the same Redis.
///
/// Removal never blocks the server: ``invalidate(pattern:)`` and ``clear()`` walk the keyspace
/// with `SCAN MATCH` and remove each page with `UNLINK` (never `KEYS`, never `FLUSHDB`).
/// Every change (set, delete, invalidate, clear, a generation bump) is also published on
/// `<prefix>:invalidations`, which near caches listen to, and does not return until every near
/// cache that received it has confirmed that it dropped its copies (or ``confirmationTimeout``
/// passed, which is logged): a process that asks right after another one changed the cache never
/// gets the old answer from its near cache.
///
/// Four kinds of logical keys are the cache's own: `generation` (the corpus generation counter, the one
/// key written without a TTL, so eviction policies that honour TTLs never drop it), `lock:…`
/// (compute locks, which expire), `ack:…` (confirmations of announced changes, which expire) and
/// `__hot_questions` (``HotQuestions``'s counts). Operations on them throw ``CacheError/reservedKey(_:)``, and
/// ``invalidate(pattern:)`` and ``clear()`` leave them alone.
///
/// Failures of Redis are thrown as `RedisError`; ``ResponseCache`` turns them into a counted
/// error and serves from its fallback.
///
/// ```swift
/// let client = RedisClient(configuration: try RedisConfiguration(url: "redis://127.0.0.1:6379/0"))
/// let cache = RedisCache(client: client, prefix: "recall")
/// try await cache.set("greeting", value: Data("hello".utf8), ttl: .seconds(60))  // recall:greeting
/// ```
public final class RedisCache: CacheBackend, SharedCacheBackend {
    /// The namespace in front of every key, without the trailing `:`.
    public let prefix: String
    public var kind: CacheBackendKind { .redis }

    let client: RedisClient
    /// Identifies this instance in invalidation messages.
    let origin = UUID().uuidString
    let channel: String
    /// How long a change waits for near caches to confirm it before it returns anyway.
    public let confirmationTimeout: Duration
    /// `CACHE_L1_CONFIRM_TIMEOUT_MS`'s default.
    public static let defaultConfirmationTimeout: Duration = .milliseconds(250)
    private let announcements = Atomic<UInt64>(0)
    private let logger: Logger
    /// This process's own lookups (the server's `keyspace_*` counts every client's).
    private let lookups = HitRateTracker()
    /// The last `evicted_keys` seen; `nil` until the first reading, which is only a baseline.
    private let lastEvictedKeys = Mutex<Int?>(nil)
    /// `cache_evictions_total` and `cache_unconfirmed_changes_total` for `backend="redis"`.
    private let metrics: CacheMetrics?

    /// A cache over `client` under `prefix`.
    ///
    /// - Parameters:
    ///   - client: the connection pool; the cache does not shut it down.
    ///   - prefix: the namespace, e.g. `CACHE_KEY_PREFIX`; a trailing `:` is not needed.
    ///   - metrics: where server-side evictions are counted, as `cache_evictions_total{backend="redis"}`,
    ///     and changes not confirmed in time, as `cache_unconfirmed_changes_total{backend="redis"}`.
    ///     Redis cannot say which client's keys it evicted, so every process reports the server's
    ///     count: aggregate the series across processes with `max`, not `sum`.
    ///   - confirmationTimeout: the longest a change waits for the near caches that received its
    ///     announcement to confirm it (a process that is stopped, say, never does).
    ///   - logger: where unconfirmed changes are reported.
    public init(client: RedisClient, prefix: String, metrics: RecallMetrics? = nil,
                confirmationTimeout: Duration = defaultConfirmationTimeout, logger: Logger? = nil) {
        self.client = client
        self.prefix = prefix
        self.channel = InvalidationMessage.channel(prefix: prefix)
        self.metrics = metrics?.cache(.redis)
        self.confirmationTimeout = confirmationTimeout
        self.logger = logger ?? Logger(label: "CacheKit", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    public func get(_ key: String) async throws -> Data? {
        let value = try await peek(key)
        if value == nil { lookups.recordMiss() } else { lookups.recordHit() }
        return value
    }

    /// Stores the value with `SET … PX` and announces it to near caches, both in one round trip.
    public func set(_ key: String, value: Data, ttl: Duration) async throws {
        guard ttl > .zero else { throw CacheError.invalidTTL(ttl) }
        let set = RedisClient.setArguments(try storageKey(key), value: Array(value), ttl: ttl)
        let (publish, announcement) = announce(.key(key))
        let replies = try await send([set, publish])
        await awaitConfirmations([(announcement, replies[1])])
    }

    /// All the values with one `MGET`: one round trip whatever the batch size.
    public func getMany(_ keys: [String]) async throws -> [Data?] {
        let values = try await client.mget(try keys.map { try storageKey($0) }).map { $0.map { Data($0) } }
        for value in values {
            if value == nil { lookups.recordMiss() } else { lookups.recordHit() }
        }
        return values
    }

    /// Every `SET … PX` and one announcement for the whole batch, pipelined in one round trip.
    public func setMany(_ entries: [(key: String, value: Data)], ttl: Duration) async throws {
        guard !entries.isEmpty else { return }
        guard ttl > .zero else { throw CacheError.invalidTTL(ttl) }
        let sets = try entries.map { RedisClient.setArguments(try storageKey($0.key), value: Array($0.value), ttl: ttl) }
        let keys = entries.map(\.key)
        let publishes = keys.contains(where: { $0.contains("\n") }) ? keys.map { announce(.key($0)) } : [announce(.keys(keys))]
        let replies = try await send(sets + publishes.map(\.arguments))
        await awaitConfirmations(zip(publishes.map(\.announcement), replies[sets.count...]).map { ($0, $1) })
    }

    @discardableResult
    public func delete(_ key: String) async throws -> Bool {
        let removed = try await client.unlink([try storageKey(key)]) > 0
        try await publish(.key(key))
        return removed
    }

    @discardableResult
    public func clear() async throws -> Int {
        let removed = try await unlinkMatching("*")
        try await publish(.clear)
        return removed
    }

    public func exists(_ key: String) async throws -> Bool {
        try await client.exists(try storageKey(key))
    }

    @discardableResult
    public func invalidate(pattern: String) async throws -> Int {
        let removed = try await unlinkMatching(pattern)
        try await publish(.pattern(pattern))
        return removed
    }

    /// The seed's Redis fields from `INFO`, with the memory limit, the eviction policy and count,
    /// and this process's own lookups.
    public func stats() async throws -> CacheStats {
        let info = try await client.info()
        func number(_ field: String) -> Int? { info[field].flatMap { Int($0) } }
        let hits = number("keyspace_hits") ?? 0
        let misses = number("keyspace_misses") ?? 0
        if let evicted = number("evicted_keys") { recordEvictions(observed: evicted) }
        return CacheStats(
            backend: .redis,
            redisUsedMemory: number("used_memory"),
            redisConnectedClients: number("connected_clients"),
            redisKeyspaceHits: hits,
            redisKeyspaceMisses: misses,
            redisMaxmemory: number("maxmemory"),
            redisMaxmemoryPolicy: info["maxmemory_policy"],
            redisEvictedKeys: number("evicted_keys"),
            hits: lookups.hits,
            misses: lookups.misses,
            hitRate: HitRateTracker.rate(hits: hits, misses: misses),
            processHitRate: lookups.hitRate
        )
    }

    // MARK: - SharedCacheBackend

    func ping() async throws {
        try await client.ping()
    }

    func peek(_ key: String) async throws -> Data? {
        try await client.get(try storageKey(key)).map { Data($0) }
    }

    /// The value and its remaining TTL in one round trip, for a near cache that must not keep a
    /// copy longer than Redis keeps the original. A TTL of `nil` means the key has none.
    func getWithTTL(_ key: String) async throws -> (value: Data, ttl: Duration?)? {
        let stored = try storageKey(key)
        let replies = try await client.pipeline([["GET", stored], ["PTTL", stored]])
        for reply in replies {
            if case .error(let message) = reply { throw RedisError(.server, message) }
        }
        guard replies.count == 2, let bytes = replies[0].bytes else {
            lookups.recordMiss()
            return nil
        }
        lookups.recordHit()
        let milliseconds = replies[1].int ?? -1
        return (Data(bytes), milliseconds >= 0 ? .milliseconds(milliseconds) : nil)
    }

    func acquireLock(for key: String, token: String, ttl: Duration) async throws -> Bool {
        try await client.setIfAbsent(lockKey(key), value: Array(token.utf8), ttl: ttl)
    }

    @discardableResult
    func releaseLock(for key: String, token: String) async throws -> Bool {
        try await client.evalScript(Self.releaseLockScript, keys: [lockKey(key)], args: [token]).int == 1
    }

    func generation(bump: Bool) async throws -> Int {
        let reply = try await client.evalScript(Self.generationScript, keys: [generationKey], args: [bump ? "1" : "0"])
        guard let generation = reply.int else {
            throw RedisError(.protocol, "\(prefix):generation does not hold a number; delete it to start a new generation")
        }
        // Near caches in other processes keep the generation they read; this tells them it moved.
        if bump { try await publish(.generation) }
        return generation
    }

    /// One `MGET` of the generation and of the key at `guess`, which is atomic, so the value
    /// belongs to the generation read with it. Only when the generation moved on (or is missing,
    /// which the generation script repairs) does it take a second round trip.
    func valueAtGeneration(_ key: (Int) -> String, guess: Int) async throws -> (generation: Int, value: Data?) {
        let replies = try await client.mget([generationKey, try storageKey(key(guess))])
        guard replies.count == 2, let stored = replies[0], let generation = Self.integer(stored) else {
            let generation = try await generation(bump: false)
            return (generation, try await get(key(generation)))
        }
        guard generation == guess else { return (generation, try await get(key(generation))) }
        if replies[1] == nil { lookups.recordMiss() } else { lookups.recordHit() }
        return (generation, replies[1].map { Data($0) })
    }

    /// A decimal integer as `INCR` writes it; `nil` for anything else, which the generation
    /// script then reports.
    private static func integer(_ bytes: [UInt8]) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 19, bytes.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int(String(decoding: bytes, as: UTF8.self))
    }

    func refreshEvictionMetrics() async throws {
        let info = try await client.info("stats")
        if let evicted = info["evicted_keys"].flatMap({ Int($0) }) {
            recordEvictions(observed: evicted)
        }
    }

    func discardLocalCopies() {}

    func stopBackgroundWork() async {}

    // MARK: - Internals

    /// `<prefix>:<key>`, refusing the cache's own keys.
    func storageKey(_ key: String) throws(CacheError) -> String {
        if Self.isReserved(key) { throw CacheError.reservedKey(key) }
        return "\(prefix):\(key)"
    }

    private var generationKey: String { "\(prefix):generation" }

    private func lockKey(_ key: String) -> String {
        "\(prefix):lock:\(key)"
    }

    static func isReserved(_ key: String) -> Bool {
        key == "generation" || key == HotQuestions.logicalKey || key.hasPrefix("lock:") || key.hasPrefix("ack:")
    }

    /// SCAN for `<prefix>:<pattern>` and UNLINK page by page; returns how many keys went.
    private func unlinkMatching(_ pattern: String) async throws -> Int {
        let lead = "\(prefix):"
        var removed = 0
        for try await page in client.scan(match: GlobPattern.escape(prefix) + ":" + pattern, count: 1000) {
            let keys = page.filter { !Self.isReserved(String($0.dropFirst(lead.count))) }
            // UNLINK counts only keys that still existed, so a key SCAN returned twice, or that
            // expired meanwhile, is not counted twice.
            removed += try await client.unlink(keys)
        }
        return removed
    }

    // MARK: - Announcements

    /// Publishes `message` and waits until its receivers confirmed it.
    private func publish(_ message: InvalidationMessage) async throws {
        let (arguments, announcement) = announce(message)
        let receivers = try await send([arguments])
        await awaitConfirmations([(announcement, receivers[0])])
    }

    /// The `PUBLISH` of `message` under a new announcement.
    private func announce(_ message: InvalidationMessage) -> (arguments: [[UInt8]], announcement: Announcement) {
        let announcement = Announcement(origin: origin, sequence: announcements.add(1, ordering: .relaxed).newValue)
        return ([Array("PUBLISH".utf8), Array(channel.utf8), Array(message.encoded(sender: announcement).utf8)], announcement)
    }

    /// Tells the sender of `announcement` that this process's near cache has applied it.
    func confirm(_ announcement: Announcement) async throws {
        let key = ackKey(announcement)
        // Expires on its own: the sender may have stopped waiting, or be gone.
        _ = try await client.pipeline([["INCR", key], ["PEXPIRE", key, "60000"]])
    }

    /// Waits until each announcement's confirmations reach its `PUBLISH` reply (the number of
    /// subscribers that received it), looking again after pauses that grow from 50 µs to 2 ms.
    /// Never throws: once Redis has the change, failing the caller would only make it retry a
    /// change that was made.
    private func awaitConfirmations(_ published: [(announcement: Announcement, reply: RESPValue)]) async {
        var waiting = published.compactMap { entry -> (key: String, receivers: Int)? in
            guard let receivers = entry.reply.int, receivers > 0 else { return nil }
            return (ackKey(entry.announcement), receivers)
        }
        guard !waiting.isEmpty else { return }
        let deadline = ContinuousClock.now + confirmationTimeout
        var pause = Duration.microseconds(50)
        while true {
            if let counts = try? await client.mget(waiting.map(\.key)) {
                waiting = zip(waiting, counts).filter { entry, count in
                    (count.flatMap { Int(String(decoding: $0, as: UTF8.self)) } ?? 0) < entry.receivers
                }.map(\.0)
                if waiting.isEmpty { return }
            }
            guard ContinuousClock.now < deadline else {
                metrics?.recordUnconfirmedChange()
                logger.warning("Cache change not confirmed by every near cache in time; a process that missed it serves its copy until the copy expires", metadata: [
                    "cache.unconfirmed": "\(waiting.count)", "timeout": "\(confirmationTimeout)",
                ])
                return
            }
            do { try await Task.sleep(for: pause) } catch { return }
            pause = min(pause * 2, .milliseconds(2))
        }
    }

    private func ackKey(_ announcement: Announcement) -> String {
        "\(prefix):ack:\(announcement.token)"
    }

    /// Sends a pipelined batch, throws the first error reply if any, and returns the replies.
    @discardableResult
    private func send(_ commands: [[[UInt8]]]) async throws -> [RESPValue] {
        let replies = try await client.pipeline(bytes: commands)
        for reply in replies {
            if case .error(let message) = reply { throw RedisError(.server, message) }
        }
        return replies
    }

    /// Counts the evictions since the last reading. A count lower than before means the server
    /// restarted (or `CONFIG RESETSTAT`): all of the new count happened since.
    private func recordEvictions(observed: Int) {
        let delta = lastEvictedKeys.withLock { last -> Int in
            defer { last = observed }
            guard let previous = last else { return 0 }
            return observed >= previous ? observed - previous : observed
        }
        metrics?.recordEvictions(delta)
    }

    /// Deletes the lock only while it still holds the caller's token: a lock that expired and was
    /// taken by another process must not be released by the first owner.
    static let releaseLockScript = RedisScript("""
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """)

    /// Reads (ARGV[1] = "0") or increments (ARGV[1] = "1") the generation. A missing counter
    /// starts at the Redis server's clock in microseconds rather than 0: if it was evicted or
    /// flushed, the new generations never repeat one that old cached answers were keyed with,
    /// because no process bumps faster than once a microsecond, and every process reads one clock.
    /// (Milliseconds were not enough: a bump and a loss within one millisecond repeated a
    /// generation.) Redis 3.2–6 need `replicate_commands` before a write follows `TIME`; 7 does not.
    static let generationScript = RedisScript("""
        if redis.call('EXISTS', KEYS[1]) == 0 then
          if redis.replicate_commands then redis.replicate_commands() end
          local now = redis.call('TIME')
          redis.call('SET', KEYS[1], now[1] .. string.format('%06d', tonumber(now[2])))
        end
        if ARGV[1] == '1' then
          return redis.call('INCR', KEYS[1])
        end
        return tonumber(redis.call('GET', KEYS[1]))
        """)
}
