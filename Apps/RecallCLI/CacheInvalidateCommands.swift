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
            every process drop the same entries. Prints how many keys were removed. With --server \
            URL the same pattern goes to that recall-server's POST /api/v1/cache/invalidate, with \
            ADMIN_TOKEN as its bearer token.

            Examples:
              recall cache invalidate --model gemini-2.5-flash
              recall cache invalidate --tenant acme --session 42
              recall cache invalidate --pattern 'chat:t=acme:*' --json
              recall cache invalidate --model gemini-2.5-flash --server http://127.0.0.1:8000
            """
    )

    @OptionGroup var options: CacheCommonOptions
    @OptionGroup var remote: ServerOptions
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

    /// The server's answer to invalidate and clear.
    struct Deleted: Decodable {
        let deleted: Int
    }

    func run() async throws {
        let glob: String, removed: Int
        if let server = try RemoteServer.open(remote, envFile: options.envFile, command: "cache invalidate") {
            // The pattern is made here, so that tenant, model and session combine as they do
            // locally (the route takes one selector); chat keys are relative to each backend's
            // prefix, so the server's CACHE_KEY_PREFIX applies.
            glob = pattern ?? ChatKeyLayout.relative.pattern(tenant: tenant, model: model, session: session)
            let (answer, _) = try await server.call(.post, "/api/v1/cache/invalidate", access: .admin, body: ["pattern": glob],
                                                    as: Deleted.self)
            await server.shutdown()
            removed = answer.deleted
        } else {
            let context = try await CacheContext.open(options, command: "invalidate", needsShared: true)
            let local = pattern ?? context.cache.chatKeys.pattern(tenant: tenant, model: model, session: session)
            removed = try await context.run(command: "invalidate") {
                try await context.cache.backend.invalidate(pattern: local)
            }
            await context.cache.shutdown()
            glob = local
        }
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
            compute locks are kept. Refuses to run without --yes. With --server URL that \
            recall-server clears its cache (DELETE /api/v1/cache, with ADMIN_TOKEN as its bearer \
            token); --json then shows this command's CACHE_KEY_PREFIX, which should be the server's.

            Examples:
              recall cache clear --yes
              recall cache clear --yes --server http://127.0.0.1:8000
            """
    )

    @OptionGroup var options: CacheCommonOptions
    @OptionGroup var remote: ServerOptions
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
        let removed: Int, prefix: String
        if let server = try RemoteServer.open(remote, envFile: options.envFile, command: "cache clear") {
            let (answer, _) = try await server.call(.delete, "/api/v1/cache", access: .admin, as: CacheInvalidateCommand.Deleted.self)
            await server.shutdown()
            (removed, prefix) = (answer.deleted, server.settings.cacheKeyPrefix)
        } else {
            let context = try await CacheContext.open(options, command: "clear", needsShared: true)
            removed = try await context.run(command: "clear") { try await context.cache.backend.clear() }
            await context.cache.shutdown()
            prefix = context.settings.cacheKeyPrefix
        }
        if options.json {
            printJSON(Output(prefix: prefix, removed: removed))
        } else {
            print("removed \(removed) key\(removed == 1 ? "" : "s") under \(prefix):")
        }
    }
}
