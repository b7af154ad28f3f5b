import ArgumentParser
import CacheKit
import Foundation

/// `recall cache invalidate`: remove the entries matching a pattern or chat key parts.
struct CacheInvalidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invalidate",
        abstract: "Remove the entries of a model, session or tenant, or matching a pattern.",
        discussion: """
            --tenant, --model and --session select chat answers by those parts of their key and \
            may be combined; --pattern is a Redis glob over logical keys (* ? [abc] \\x) and \
            stands alone. Uses SCAN and UNLINK, never KEYS: safe on a busy Redis. Near caches in \
            every process drop the same entries. Prints how many keys were removed.

            Examples:
              recall cache invalidate --model gemini-2.5-flash
              recall cache invalidate --tenant acme --session 42
              recall cache invalidate --pattern 'chat:t=acme:*' --json
            """
    )

    @OptionGroup var options: CacheCommonOptions
    @Option(name: .long, help: "A glob over logical keys.") var pattern: String?
    @Option(name: .long, help: "Chat answers of this model.") var model: String?
    @Option(name: .long, help: "Chat answers of this session.") var session: String?
    @Option(name: .long, help: "Chat answers of this tenant.") var tenant: String?

    func validate() throws {
        let parts = [model, session, tenant].compactMap { $0 }
        if pattern != nil, !parts.isEmpty {
            throw ValidationError("--pattern cannot be combined with --model, --session or --tenant")
        }
        if pattern == nil, parts.isEmpty {
            throw ValidationError("say what to remove: --pattern, or one or more of --model, --session, --tenant")
        }
    }

    struct Output: Encodable {
        let pattern: String
        let removed: Int
    }

    func run() async throws {
        let context = try await CacheContext.open(options, command: "invalidate", needsShared: true)
        let glob = pattern ?? context.cache.chatKeys.pattern(tenant: tenant, model: model, session: session)
        let removed = try await context.run(command: "invalidate") {
            try await context.cache.backend.invalidate(pattern: glob)
        }
        await context.cache.shutdown()
        if options.json {
            printJSON(Output(pattern: glob, removed: removed))
        } else {
            print("removed \(removed) key\(removed == 1 ? "" : "s") matching \(glob)")
        }
    }
}

/// `recall cache clear --yes`.
struct CacheClearCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clear",
        abstract: "Remove every cache entry under CACHE_KEY_PREFIX (needs --yes).",
        discussion: """
            Removes <CACHE_KEY_PREFIX>:* with SCAN and UNLINK (never FLUSHDB: other data in the \
            same Redis stays), for every process sharing the cache. The corpus generation and \
            compute locks are kept. Refuses to run without --yes.

            Example:
              recall cache clear --yes
            """
    )

    @OptionGroup var options: CacheCommonOptions
    @Flag(name: .long, help: "Confirm that every entry should go.") var yes = false

    func validate() throws {
        guard yes else {
            throw ValidationError("clear removes every cached answer for every process sharing this cache; add --yes to confirm")
        }
    }

    struct Output: Encodable {
        let prefix: String
        let removed: Int
    }

    func run() async throws {
        let context = try await CacheContext.open(options, command: "clear", needsShared: true)
        let removed = try await context.run(command: "clear") { try await context.cache.backend.clear() }
        await context.cache.shutdown()
        let prefix = context.settings.cacheKeyPrefix
        if options.json {
            printJSON(Output(prefix: prefix, removed: removed))
        } else {
            print("removed \(removed) key\(removed == 1 ? "" : "s") under \(prefix):")
        }
    }
}
