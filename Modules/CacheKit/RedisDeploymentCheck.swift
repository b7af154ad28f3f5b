import Foundation
import RedisKit

/// The seed's production checklist, run against a live Redis: does it answer, is its memory
/// bounded, will it evict the right keys when full, does it persist, how full is it, and is the
/// cache earning its keep.
///
/// Each ``Finding`` is `ok`, `warning` or `failure`, and says how to fix what is not ok. Only a
/// Redis that cannot serve the cache at all (unreachable, or full and refusing writes) is a
/// failure; settings that are merely unwise are warnings.
///
/// ```swift
/// let findings = await RedisDeploymentCheck.run(client: client)
/// let failed = findings.contains { $0.status == .failure }
/// ```
public enum RedisDeploymentCheck {
    /// One item of the checklist.
    public struct Finding: Sendable, Equatable, Codable {
        /// How a check came out, from good to bad.
        public enum Status: String, Sendable, Codable, Comparable {
            /// As the checklist recommends.
            case ok
            /// Works, but not as production should run.
            case warning
            /// The cache cannot work with this Redis as it is.
            case failure

            private var rank: Int {
                switch self {
                case .ok: 0
                case .warning: 1
                case .failure: 2
                }
            }

            public static func < (lhs: Status, rhs: Status) -> Bool { lhs.rank < rhs.rank }
        }

        /// The check: `ping`, `maxmemory`, `maxmemory-policy`, `persistence`, `memory`, `hit-rate`.
        public var check: String
        /// How the check came out.
        public var status: Status
        /// What was found, in words.
        public var detail: String
        /// What to do about it; `nil` when the check is ok.
        public var fix: String?

        /// A finding from its parts.
        public init(check: String, status: Status, detail: String, fix: String? = nil) {
            self.check = check
            self.status = status
            self.detail = detail
            self.fix = fix
        }
    }

    /// The seed's hit-rate target.
    static let hitRateTarget = 0.8
    /// Fewer lookups than this say nothing about a hit rate.
    static let hitRateMinimumLookups = 1000

    /// Runs every check; never throws (a check that cannot be made is itself a finding).
    public static func run(client: RedisClient) async -> [Finding] {
        let server = client.configuration.description
        do {
            try await client.ping()
        } catch {
            return [Finding(
                check: "ping", status: .failure, detail: "Redis at \(server) did not answer: \(error)",
                fix: "start Redis, or point REDIS_URL (or REDIS_HOST, REDIS_PORT, REDIS_AUTH) at the one that runs"
            )]
        }
        let info: [String: String]
        do {
            info = try await client.info()
        } catch {
            return [
                Finding(check: "ping", status: .ok, detail: "Redis at \(server) answers PING"),
                Finding(check: "info", status: .warning, detail: "INFO failed: \(error)",
                        fix: "allow the INFO command for this user (the other checks need it)"),
            ]
        }
        let version = info["redis_version"].map { "Redis \($0)" } ?? "Redis"
        var findings = [Finding(check: "ping", status: .ok, detail: "\(version) answers PING")]

        // INFO has the memory settings; CONFIG GET is needed only for `save`, and may be disabled.
        let maxmemory = info["maxmemory"].flatMap { Int($0) } ?? 0
        let policy = info["maxmemory_policy"] ?? "unknown"
        let used = info["used_memory"].flatMap { Int($0) } ?? 0
        findings.append(maxmemoryFinding(maxmemory))
        findings.append(policyFinding(policy))
        let save: String? = try? await client.configGet("save")["save"]
        findings.append(persistenceFinding(appendOnly: info["aof_enabled"] == "1", save: save))
        findings.append(memoryFinding(used: used, maxmemory: maxmemory, policy: policy))
        findings.append(hitRateFinding(
            hits: info["keyspace_hits"].flatMap { Int($0) } ?? 0,
            misses: info["keyspace_misses"].flatMap { Int($0) } ?? 0
        ))
        return findings
    }

    static func maxmemoryFinding(_ maxmemory: Int) -> Finding {
        guard maxmemory > 0 else {
            return Finding(
                check: "maxmemory", status: .warning,
                detail: "no memory limit (maxmemory 0): Redis grows until the machine runs out of memory and never evicts",
                fix: "set a limit, e.g. `maxmemory 400mb` in redis.conf, or now with `redis-cli CONFIG SET maxmemory 400mb`"
            )
        }
        return Finding(check: "maxmemory", status: .ok, detail: "memory limit \(bytes(maxmemory))")
    }

    static func policyFinding(_ policy: String) -> Finding {
        if policy == "allkeys-lru" {
            return Finding(check: "maxmemory-policy", status: .ok,
                           detail: "allkeys-lru: when full, the least recently used keys are evicted "
                            + "(if the job queue shares this Redis, volatile-lru keeps its keys safe)")
        }
        if policy.hasPrefix("volatile-") {
            return Finding(check: "maxmemory-policy", status: .ok,
                           detail: "\(policy): when full, only keys with a TTL are evicted, and every cache key has one")
        }
        let consequence = policy == "noeviction"
            ? "when full, Redis refuses writes, so new answers are not cached (counted in cache_errors_total{operation=\"set\"})"
            : "\(policy) is not the LRU policy the cache is designed for"
        return Finding(
            check: "maxmemory-policy", status: .warning, detail: "\(policy): \(consequence)",
            fix: "`maxmemory-policy allkeys-lru` in redis.conf, or now with `redis-cli CONFIG SET maxmemory-policy allkeys-lru` "
                + "(volatile-lru if the job queue shares this Redis)"
        )
    }

    static func persistenceFinding(appendOnly: Bool, save: String?) -> Finding {
        if appendOnly {
            return Finding(check: "persistence", status: .ok, detail: "append-only file on: a restart keeps the cache warm")
        }
        if let save, !save.isEmpty {
            return Finding(check: "persistence", status: .ok, detail: "RDB snapshots (save \(save)): a restart keeps most of the cache")
        }
        let detail = save == nil
            ? "append-only file off, and the snapshot schedule could not be read (CONFIG GET is not allowed)"
            : "no persistence (appendonly no, no save points): a restart empties the cache and every process recomputes"
        return Finding(
            check: "persistence", status: .warning, detail: detail,
            fix: "if a cold cache after a restart costs too much, `appendonly yes` in redis.conf (or `save 3600 1`)"
        )
    }

    static func memoryFinding(used: Int, maxmemory: Int, policy: String) -> Finding {
        guard maxmemory > 0 else {
            return Finding(check: "memory", status: .ok, detail: "\(bytes(used)) used, no limit set")
        }
        let ratio = Double(used) / Double(maxmemory)
        let detail = "\(bytes(used)) used of \(bytes(maxmemory)) (\(percent(ratio)))"
        if ratio >= 1, policy == "noeviction" {
            return Finding(check: "memory", status: .failure, detail: detail + ", full and refusing writes",
                           fix: "raise maxmemory, or set maxmemory-policy allkeys-lru so Redis makes room")
        }
        if ratio >= 0.9 {
            return Finding(check: "memory", status: .warning, detail: detail + ", above the 90% alert line",
                           fix: "raise maxmemory, or lower CACHE_TTL_SECONDS so entries leave sooner")
        }
        return Finding(check: "memory", status: .ok, detail: detail)
    }

    static func hitRateFinding(hits: Int, misses: Int) -> Finding {
        let lookups = hits + misses
        guard lookups >= hitRateMinimumLookups else {
            return Finding(check: "hit-rate", status: .ok,
                           detail: "\(lookups) lookups so far, too few to judge the hit rate (target ≥ \(percent(hitRateTarget)))")
        }
        let rate = Double(hits) / Double(lookups)
        let detail = "keyspace hit rate \(percent(rate)) over \(lookups) lookups (target ≥ \(percent(hitRateTarget)))"
        guard rate >= hitRateTarget else {
            return Finding(check: "hit-rate", status: .warning, detail: detail,
                           fix: "check that CACHE_TTL_SECONDS is not too short and that sessions are not keyed too finely")
        }
        return Finding(check: "hit-rate", status: .ok, detail: detail)
    }

    static func bytes(_ count: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f", value) + " " + units[unit]
    }

    static func percent(_ ratio: Double) -> String {
        String(format: "%.1f%%", ratio * 100)
    }
}
