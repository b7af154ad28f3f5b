import ArgumentParser
import CacheKit
import Foundation

/// `recall cache flight`: a hidden diagnostic that runs one `cached` call with a slow stand-in
/// computation, so tests (and operators) can watch single-flight work across real processes.
///
/// Run it in several processes at once for the same key: exactly one prints `"computed": true`,
/// the others get that process's value.
struct CacheFlightCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flight",
        abstract: "Diagnostic: one cached() call whose computation takes --compute-ms and returns --value.",
        discussion: """
            Prints JSON: whether this process computed the value, whether it was a cache hit, and \
            the value it got. --start-at-ms (milliseconds since 1970) lets several processes \
            start their lookup at the same moment.

            Example:
              recall cache flight probe-key --value from-$$ --compute-ms 1500
            """,
        shouldDisplay: false
    )

    @Option(name: .long, help: "Path of the .env file to read (default: ./.env, or ENV_FILE).")
    var envFile: String?
    @Argument(help: "The logical key.") var key: String
    @Option(name: .long, help: "The value the computation returns.") var value: String
    @Option(name: .long, help: "How long the computation takes, in milliseconds.") var computeMs = 1000
    @Option(name: .long, help: "Wait until this time (ms since 1970) before looking up the key.") var startAtMs: Int64?

    struct Output: Encodable {
        let computed: Bool
        let hit: Bool
        let value: String
    }

    func run() async throws {
        var options = CacheCommonOptions()
        options.envFile = envFile
        let context = try await CacheContext.open(options, command: "flight", needsShared: true)
        if let startAtMs {
            let wait = startAtMs - Int64(Date().timeIntervalSince1970 * 1000)
            if wait > 0 { try await Task.sleep(for: .milliseconds(wait)) }
        }
        var computed = false
        let (result, hit) = try await context.cache.cached(key: key) { () async throws -> String in
            computed = true
            try await Task.sleep(for: .milliseconds(computeMs))
            return value
        }
        await context.cache.shutdown()
        printJSON(Output(computed: computed, hit: hit, value: result))
    }
}
