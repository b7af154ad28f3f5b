import ArgumentParser
import CacheKit
import Foundation

/// `recall cache get KEY`.
struct CacheGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Print the value stored under a key (exit 1 if absent).",
        discussion: """
            Prints the stored bytes as text. KEY is logical: <CACHE_KEY_PREFIX>: is put in front.

            Example:
              recall cache get "chat:t=default:g=1:m=gemini-2.5-flash:s=:3f0c…" --json
            """
    )

    @OptionGroup var options: CacheCommonOptions
    @Argument(help: "The logical key.") var key: String

    struct Output: Encodable {
        let key: String
        let found: Bool
        let value: String?
    }

    func run() async throws {
        let context = try await CacheContext.open(options, command: "get", needsShared: true)
        let value = try await context.run(command: "get") { try await context.cache.backend.get(key) }
        await context.cache.shutdown()
        let text = value.map { String(decoding: $0, as: UTF8.self) }
        if options.json {
            printJSON(Output(key: key, found: value != nil, value: text))
        } else if let text {
            print(text)
        } else {
            FileHandle.standardError.write(Data("\(key) is not in the cache\n".utf8))
        }
        if value == nil { throw CacheExit.negative }
    }
}

/// `recall cache set KEY VALUE`.
struct CacheSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Store a value under a key, with a TTL.",
        discussion: """
            Stores VALUE's UTF-8 bytes as given. Every entry has a TTL: --ttl, else CACHE_TTL_SECONDS.

            Example:
              recall cache set greeting '{"answer": "hello"}' --ttl 300
            """
    )

    @OptionGroup var options: CacheCommonOptions
    @Argument(help: "The logical key.") var key: String
    @Argument(help: "The value to store.") var value: String
    @Option(name: .long, help: "Seconds the entry lives (default: CACHE_TTL_SECONDS).") var ttl: Int?

    func validate() throws {
        if let ttl, ttl < 1 { throw ValidationError("--ttl must be at least 1 second") }
    }

    struct Output: Encodable {
        let key: String
        let stored: Bool
        let ttlSeconds: Int

        enum CodingKeys: String, CodingKey { case key, stored, ttlSeconds = "ttl_seconds" }
    }

    func run() async throws {
        let context = try await CacheContext.open(options, command: "set", needsShared: true)
        let seconds = ttl ?? context.settings.cacheTTLSeconds
        try await context.run(command: "set") {
            try await context.cache.backend.set(key, value: Data(value.utf8), ttl: .seconds(seconds))
        }
        await context.cache.shutdown()
        if options.json {
            printJSON(Output(key: key, stored: true, ttlSeconds: seconds))
        } else {
            print("stored \(key) for \(seconds) s")
        }
    }
}

/// `recall cache exists KEY`.
struct CacheExistsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exists",
        abstract: "Tell whether a key is cached: exit 0 if present, 1 if absent.",
        discussion: """
            Example:
              recall cache exists greeting && echo cached
            """
    )

    @OptionGroup var options: CacheCommonOptions
    @Argument(help: "The logical key.") var key: String

    struct Output: Encodable {
        let key: String
        let exists: Bool
    }

    func run() async throws {
        let context = try await CacheContext.open(options, command: "exists", needsShared: true)
        let present = try await context.run(command: "exists") { try await context.cache.backend.exists(key) }
        await context.cache.shutdown()
        if options.json {
            printJSON(Output(key: key, exists: present))
        } else {
            print(present ? "present" : "absent")
        }
        if !present { throw CacheExit.negative }
    }
}

/// `recall cache delete KEY`.
struct CacheDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Remove one key (and tell near caches in every process to drop it).",
        discussion: """
            Succeeds whether or not the key was there, and says which.

            Example:
              recall cache delete greeting --json
            """
    )

    @OptionGroup var options: CacheCommonOptions
    @Argument(help: "The logical key.") var key: String

    struct Output: Encodable {
        let key: String
        let deleted: Bool
    }

    func run() async throws {
        let context = try await CacheContext.open(options, command: "delete", needsShared: true)
        let deleted = try await context.run(command: "delete") { try await context.cache.backend.delete(key) }
        await context.cache.shutdown()
        if options.json {
            printJSON(Output(key: key, deleted: deleted))
        } else {
            print(deleted ? "deleted \(key)" : "\(key) was not in the cache")
        }
    }
}
