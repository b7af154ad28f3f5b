import ArgumentParser
import CacheKit
import Foundation
import JobsKit

/// `recall cache stats`: the stats endpoint's figures, from this command's own view.
struct CacheStatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show the active cache backend and its statistics.",
        discussion: """
            Chooses the backend as every Recall program does (CACHE_BACKEND). With Redis the \
            figures are the server's (memory, clients, keyspace hits and misses, evictions); with \
            the in-process backend they are this command's own, nearly empty cache. --json prints \
            the same fields as GET /api/v1/cache/stats. With --server URL the figures are that \
            recall-server's, from GET /api/v1/cache/stats, in the same --json shape.

            Examples:
              recall cache stats --json
              recall cache stats --server http://127.0.0.1:8000
            """
    )

    @OptionGroup var options: CacheCommonOptions
    @OptionGroup var remote: ServerOptions

    /// The two fields the stats endpoint adds to ``CacheStats``.
    struct ReportFields: Decodable {
        let configuredBackend: String?
        let degraded: Bool?

        enum CodingKeys: String, CodingKey {
            case configuredBackend = "configured_backend"
            case degraded
        }
    }

    func run() async throws {
        if let server = try RemoteServer.open(remote, envFile: options.envFile, command: "cache stats") {
            // --json passes the server's object on whole, so fields this recall does not know
            // yet are kept; the text is read from the fields it does know.
            let (object, response) = try await server.call(.get, "/api/v1/cache/stats", access: .open, as: JSONValue.self)
            await server.shutdown()
            if options.json {
                printJSON(object)
                return
            }
            guard let stats = try? JSONDecoder().decode(CacheStats.self, from: response.body),
                  let fields = try? JSONDecoder().decode(ReportFields.self, from: response.body) else {
                throw CommandOutput.failure("cache stats", "the server at \(server.client.base) sent stats this recall does not read: \(response.text.prefix(200))")
            }
            let report = CacheStatsReport(stats: stats, configuredBackend: fields.configuredBackend ?? "?", degraded: fields.degraded ?? false)
            print(Self.text(report, status: nil, server: server.client.base))
            return
        }
        let context = try await CacheContext.open(options, command: "stats", needsShared: false)
        let report = await context.cache.statsReport()
        let status = context.cache.status
        await context.cache.shutdown()
        if options.json {
            printJSON(report)
            return
        }
        print(Self.text(report, status: status, server: nil))
    }

    /// The report in words; `status` is this process's cache (nil for a server's figures).
    static func text(_ report: CacheStatsReport, status: CacheStatus?, server: String?) -> String {
        let stats = report.stats
        var lines = ["backend      \(stats.backend.rawValue) (CACHE_BACKEND=\(report.configuredBackend))"]
        if let server { lines.append("server       \(server)") }
        if let redis = status?.redis { lines.append("redis        \(redis)") }
        if report.degraded {
            let whose = server == nil ? "this process's" : "the server's"
            lines.append("degraded     Redis does not answer (\(status?.lastError ?? "no reply")); \(whose) memory serves")
        }
        if let status { lines.append("reason       \(status.reason)") }
        if let used = stats.redisUsedMemory {
            let limit = stats.redisMaxmemory.map { $0 == 0 ? "no limit" : "limit \($0) bytes" } ?? "limit unknown"
            lines.append("memory       \(used) bytes used, \(limit), policy \(stats.redisMaxmemoryPolicy ?? "?")")
        }
        if let clients = stats.redisConnectedClients { lines.append("clients      \(clients)") }
        if let hits = stats.redisKeyspaceHits, let misses = stats.redisKeyspaceMisses {
            lines.append("keyspace     \(hits) hits, \(misses) misses, hit rate \(percent(stats.hitRate ?? 0))")
        }
        if let evicted = stats.redisEvictedKeys { lines.append("evicted      \(evicted) keys") }
        if stats.backend == .memory, server == nil {
            lines.append("note         an in-process cache: these figures are this command's own, not a server's")
        }
        if let size = stats.memoryCacheSize {
            lines.append("entries      \(size) of \(stats.memoryCacheMaxSize ?? 0), default TTL \(stats.memoryCacheDefaultTTL ?? 0) s")
        }
        if let hits = stats.hits, let misses = stats.misses {
            lines.append("\(server == nil ? "this process" : "the server  ") \(hits) hits, \(misses) misses, hit rate \(percent(stats.processHitRate ?? 0))")
        }
        return lines.joined(separator: "\n")
    }

    private static func percent(_ ratio: Double) -> String {
        String(format: "%.1f%%", ratio * 100)
    }
}
