import AppSupport
import ArgumentParser
import CacheKit
import ConfigKit
import Foundation
import Logging
import MetricsKit

/// `recall cache …`: look at and operate the shared response cache in Redis.
struct CacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Inspect and operate the shared response cache.",
        discussion: """
            KEY arguments are logical keys: `recall cache get chat:…` reads <CACHE_KEY_PREFIX>:chat:… in \
            Redis. Commands that read or change entries need the shared cache (Redis); with \
            CACHE_BACKEND=memory each process has its own cache, which no other process can reach.

            Exit status: 0 done; 1 key absent (get, exists) or checklist failed (verify); \
            69 Redis not configured, not answering or caching disabled; 78 configuration invalid.

            Example:
              recall cache stats --env-file /etc/recall/.env
            """,
        subcommands: [
            CacheKeyCommand.self, CacheGetCommand.self, CacheSetCommand.self, CacheExistsCommand.self,
            CacheDeleteCommand.self, CacheStatsCommand.self, CacheInvalidateCommand.self, CacheClearCommand.self,
            CacheWarmCommand.self, CacheVerifyCommand.self, CacheFlightCommand.self,
        ]
    )
}

/// The cache commands take the options every command takes.
typealias CacheCommonOptions = CommonOptions

/// Exit statuses shared by the cache commands (sysexits.h where one fits).
enum CacheExit {
    /// A key is absent (get, exists), or the checklist found a failure (verify).
    static let negative = ExitCode(1)
    /// EX_UNAVAILABLE: no shared cache to act on, or Redis does not answer.
    static let unavailable = ExitCode(69)
}

/// A failure the command explains in two parts: what happened, and what to do next.
struct CacheCommandFailure: Error {
    let message: String
    let next: String

    /// Prints to standard error and returns the exit status to throw.
    func report(command: String) -> ExitCode {
        FileHandle.standardError.write(Data("recall cache \(command): \(message)\n  next: \(next)\n".utf8))
        return CacheExit.unavailable
    }
}

/// The loaded settings and the cache a command works on; shut it down when done.
struct CacheContext {
    let settings: Settings
    let cache: ResponseCache
    let metrics: RecallMetrics

    /// Loads the settings (exit 78 when they are invalid) and makes the cache the way every
    /// Recall program does, with two differences that suit a short-lived command: no near cache
    /// (nothing would be read twice), and, when the command needs the shared cache, Redis even
    /// under CACHE_BACKEND=auto, so an unreachable Redis is reported instead of silently
    /// replaced by this process's own empty memory.
    static func open(_ options: CacheCommonOptions, command: String, needsShared: Bool) async throws -> CacheContext {
        let settings = ProgramStart.loadSettings(envFile: options.envFile, program: "recall cache \(command)").settings
        var configuration = CacheConfiguration(settings: settings)
        configuration.nearCacheEnabled = false
        if needsShared {
            if let failure = sharedCacheProblem(settings) { throw failure.report(command: command) }
            configuration.backend = .redis
        }
        let metrics = RecallMetrics()
        let cache = await CacheFactory.make(configuration: configuration, metrics: metrics, logger: quietLogger(settings))
        let context = CacheContext(settings: settings, cache: cache, metrics: metrics)
        if needsShared {
            try await context.requireShared(command: command)
        }
        return context
    }

    /// Fails the command if the last operations were served by the fallback, not by Redis.
    func requireShared(command: String) async throws {
        let status = cache.status
        guard status.degraded else { return }
        await cache.shutdown()
        throw CacheCommandFailure(
            message: "Redis at \(status.redis ?? "?") does not answer: \(status.lastError ?? "no reply")",
            next: "start Redis or fix REDIS_URL (check with `recall cache verify`), then run this again"
        ).report(command: command)
    }

    /// Runs `body` against the cache, turning an unavailable Redis into exit 69.
    func run<Result>(command: String, _ body: () async throws -> Result) async throws -> Result {
        let result: Result
        do {
            result = try await body()
        } catch let error as CacheError {
            await cache.shutdown()
            switch error {
            case .unavailable:
                throw CacheCommandFailure(
                    message: "\(error)",
                    next: "start Redis or fix REDIS_URL (check with `recall cache verify`), then run this again"
                ).report(command: command)
            case .reservedKey, .invalidTTL:
                throw ValidationError("\(error)")
            }
        }
        try await requireShared(command: command)
        return result
    }

    /// Why this configuration has no shared cache to act on, if it has none.
    private static func sharedCacheProblem(_ settings: Settings) -> CacheCommandFailure? {
        if !settings.cacheEnabled {
            return CacheCommandFailure(
                message: "caching is disabled (CACHE_ENABLED=false), so there is no cache to act on",
                next: "set CACHE_ENABLED=true (and REDIS_URL) to use the shared cache")
        }
        if settings.cacheBackend == .memory {
            return CacheCommandFailure(
                message: "CACHE_BACKEND=memory: each process keeps its own cache, which this command cannot reach",
                next: "set CACHE_BACKEND=auto or redis and REDIS_URL=redis://host:6379/0 to share one cache")
        }
        if settings.redis == nil {
            return CacheCommandFailure(
                message: "no Redis is configured, so there is no shared cache (each process keeps its own)",
                next: "set REDIS_URL=redis://host:6379/0 (or REDIS_HOST and REDIS_PORT)")
        }
        return nil
    }

    /// Errors only, unless LOG_LEVEL asks for more: the command prints its own explanations.
    private static func quietLogger(_ settings: Settings) -> Logger {
        var logger = Logger(label: "recall") { StreamLogHandler.standardError(label: $0) }
        let requested = Logger.Level(rawValue: settings.logLevel) ?? .info
        logger.logLevel = max(requested, .error)
        if requested <= .debug { logger.logLevel = requested }
        return logger
    }
}

/// Prints `value` as indented JSON with sorted keys.
func printJSON<Value: Encodable>(_ value: Value) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: (try? encoder.encode(value)) ?? Data("{}".utf8), as: UTF8.self))
}
