import ArgumentParser
import CacheKit
import Foundation

/// `recall cache stats`: the stats endpoint's figures, from this command's own view.
struct CacheStatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show the active cache backend and its statistics.",
        discussion: """
            Chooses the backend as every Recall program does (CACHE_BACKEND). With Redis the \
            figures are the server's (memory, clients, keyspace hits and misses, evictions); with \
            the in-process backend they are this command's own, nearly empty cache. --json prints \
            the same fields as GET /api/v1/cache/stats.

            Example:
              recall cache stats --json
            """
    )

    @OptionGroup var options: CacheCommonOptions

    func run() async throws {
        let context = try await CacheContext.open(options, command: "stats", needsShared: false)
        let report = await context.cache.statsReport()
        let status = context.cache.status
        await context.cache.shutdown()
        if options.json {
            printJSON(report)
            return
        }
        print(Self.text(report, status: status))
    }

    static func text(_ report: CacheStatsReport, status: CacheStatus) -> String {
        let stats = report.stats
        var lines = ["backend      \(stats.backend.rawValue) (CACHE_BACKEND=\(status.configuredBackend))"]
        if let redis = status.redis { lines.append("redis        \(redis)") }
        if status.degraded {
            lines.append("degraded     Redis does not answer (\(status.lastError ?? "no reply")); this process's memory serves")
        }
        lines.append("reason       \(status.reason)")
        if let used = stats.redisUsedMemory {
            let limit = stats.redisMaxmemory.map { $0 == 0 ? "no limit" : "limit \($0) bytes" } ?? "limit unknown"
            lines.append("memory       \(used) bytes used, \(limit), policy \(stats.redisMaxmemoryPolicy ?? "?")")
        }
        if let clients = stats.redisConnectedClients { lines.append("clients      \(clients)") }
        if let hits = stats.redisKeyspaceHits, let misses = stats.redisKeyspaceMisses {
            lines.append("keyspace     \(hits) hits, \(misses) misses, hit rate \(percent(stats.hitRate ?? 0))")
        }
        if let evicted = stats.redisEvictedKeys { lines.append("evicted      \(evicted) keys") }
        if stats.backend == .memory {
            lines.append("note         an in-process cache: these figures are this command's own, not a server's")
        }
        if let size = stats.memoryCacheSize {
            lines.append("entries      \(size) of \(stats.memoryCacheMaxSize ?? 0), default TTL \(stats.memoryCacheDefaultTTL ?? 0) s")
        }
        if let hits = stats.hits, let misses = stats.misses {
            lines.append("this process \(hits) hits, \(misses) misses, hit rate \(percent(stats.processHitRate ?? 0))")
        }
        return lines.joined(separator: "\n")
    }

    private static func percent(_ ratio: Double) -> String {
        String(format: "%.1f%%", ratio * 100)
    }
}
