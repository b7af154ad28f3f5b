import Foundation
import TestSupport
import Testing

/// The `--json` output of every command whose output is fixed by its setup, compared with the
/// files in `Tests/AppsTests/Golden/`: renaming, removing or adding a field fails here, so scripts
/// built on the output are not broken by accident.
///
/// The commands run as the real program against the test Redis and a scratch PostgreSQL
/// database, with local embeddings and the extractive answerer, so every value is reproducible
/// except the ones replaced on purpose before comparing:
/// - text that names this run's resources (service URLs, the scratch database, the cache and
///   job key prefixes, the temporary folder, the job id) becomes `<placeholder>`;
/// - fields whose values are clocks or belong to the machine (`timestamp`, `created_at`,
///   `updated_at`, `applied_at`, `pgvector_version`) become `"<masked>"`, their names kept;
/// - in `config check`, the values of REDIS_HOST and REDIS_PORT, which are read from the test
///   Redis's URL (a free port of this run), become `"<masked>"` too.
///
/// After an intended change of an output, regenerate the files and review the diff:
/// `RECALL_UPDATE_GOLDEN=1 bash Infrastructure/scripts/with-services.sh swift test --skip-build --filter GoldenJSONTests`
@Suite("recall --json golden files", .serialized, .timeLimit(.minutes(3)),
       .enabled(if: TestServices.isAvailable(.postgres) && TestServices.isAvailable(.redis)))
struct GoldenJSONTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static let updating = ProcessInfo.processInfo.environment["RECALL_UPDATE_GOLDEN"] == "1"
    static let maskedFields: Set<String> = ["timestamp", "created_at", "updated_at", "applied_at", "pgvector_version"]
    static let maskedSettings: Set<String> = ["REDIS_HOST", "REDIS_PORT"]

    /// This run's names, replaced by placeholders in every output.
    struct Run {
        var placeholders: [(text: String, placeholder: String)] = []
        let environment: [String: String]

        /// Runs `recall ARGUMENTS`, expects `status`, and compares its JSON with `Golden/NAME.json`.
        func check(_ name: String, _ arguments: [String], status: Int32 = 0, environment extra: [String: String] = [:]) async throws {
            try compare(name, try await execute(arguments, status: status, environment: extra), arguments: arguments)
        }

        /// Runs `recall ARGUMENTS` and returns what it printed, expecting `status`.
        func execute(_ arguments: [String], status: Int32 = 0, environment extra: [String: String] = [:]) async throws -> String {
            let output = try await TestPrograms.runDetached("recall", arguments, environment: environment.merging(extra) { $1 })
            #expect(output.status == status, "recall \(arguments.joined(separator: " ")): \(output.standardError)")
            return output.standardOutput
        }

        /// Compares `printed` (placeholders put in, fields masked) with `Golden/NAME.json`, or
        /// writes the file with `RECALL_UPDATE_GOLDEN=1`.
        func compare(_ name: String, _ printed: String, arguments: [String]) throws {
            var text = printed
            // Longest first, so that a URL containing a prefix is replaced whole.
            for (value, placeholder) in placeholders.sorted(by: { $0.text.count > $1.text.count }) {
                text = text.replacingOccurrences(of: value, with: placeholder)
            }
            let command = "recall " + arguments.joined(separator: " ")
            let value = try #require(try? JSONSerialization.jsonObject(with: Data(text.utf8)), "\(command) printed no JSON: \(printed)")
            let normalised = try GoldenJSONTests.text(of: GoldenJSONTests.mask(value))
            let file = GoldenJSONTests.directory.appendingPathComponent("\(name).json")
            if GoldenJSONTests.updating {
                try FileManager.default.createDirectory(at: GoldenJSONTests.directory, withIntermediateDirectories: true)
                try Data(normalised.utf8).write(to: file)
            }
            let expected = try #require(try? String(contentsOf: file, encoding: .utf8),
                                        "Golden/\(name).json is missing: run with RECALL_UPDATE_GOLDEN=1 to write it")
            #expect(normalised == expected, """
                \(command) differs from Golden/\(name).json; if the change is intended, regenerate with \
                RECALL_UPDATE_GOLDEN=1 (see GoldenJSONTests) and review the diff
                """)
        }
    }

    /// `value` with the volatile fields masked, at any depth.
    static func mask(_ value: Any) -> Any {
        switch value {
        case let object as [String: Any]:
            var masked: [String: Any] = [:]
            for (key, field) in object {
                let setting = object["name"] as? String
                if maskedFields.contains(key), !(field is NSNull) {
                    masked[key] = "<masked>"
                } else if key == "value", let setting, maskedSettings.contains(setting) {
                    masked[key] = "<masked>"
                } else {
                    masked[key] = mask(field)
                }
            }
            return masked
        case let array as [Any]:
            return array.map(mask)
        default:
            return value
        }
    }

    /// Sorted keys, indented, one trailing newline: a stable text for files and diffs.
    static func text(of value: Any) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    @Test("config, cache, embed, search, ask, db, ingest and jobs print the JSON of their golden files")
    func goldenOutputs() async throws {
        let database = try await ChatCommandTests.handbook()
        defer { database.drop() }
        let redis = try TestServices.url(.redis)
        let cachePrefix = "golden-cache-\(UUID().uuidString.prefix(8))"
        let jobPrefix = "golden-jobs-\(UUID().uuidString.prefix(8))"
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("recall-golden-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("# Travel\n\nBook trains through the travel desk.\n".utf8).write(to: folder.appendingPathComponent("travel.md"))

        var run = Run(placeholders: [
            (redis, "<redis-url>"), (database.url, "<database-url>"), (cachePrefix, "<cache-prefix>"),
            (jobPrefix, "<job-prefix>"), (folder.path, "<folder>"),
        ], environment: ChatCommandTests.environment(database: database, [
            "CACHE_BACKEND": "redis", "REDIS_URL": redis, "CACHE_KEY_PREFIX": cachePrefix, "JOB_KEY_PREFIX": jobPrefix,
        ]))

        try await run.check("config-check", ["config", "check", "--json"])
        try await run.check("cache-key", ["cache", "key", "--question", "How many vacation days?", "--session", "s1", "--model", "m1", "--json"])
        try await run.check("embed", ["embed", "vacation days", "--json"])
        try await run.check("cache-set", ["cache", "set", "golden:answer", "42", "--ttl", "600", "--json"])
        try await run.check("cache-get", ["cache", "get", "golden:answer", "--json"])
        try await run.check("cache-get-absent", ["cache", "get", "golden:absent", "--json"], status: 1)
        try await run.check("cache-exists", ["cache", "exists", "golden:answer", "--json"])
        try await run.check("cache-stats-memory", ["cache", "stats", "--json"], environment: ["CACHE_BACKEND": "memory"])
        try await run.check("search", ["search", "vacation days employees", "--k", "2", "--json"])
        try await run.check("ask", ["ask", "How many vacation days do employees get?", "--session", "s1", "--json"])
        try await run.check("cache-invalidate", ["cache", "invalidate", "--session", "s1", "--json"])
        try await run.check("db-status", ["db", "status", "--json"])

        let arguments = ["ingest", folder.appendingPathComponent("travel.md").path, "--json"]
        let queued = try await run.execute(arguments)
        // The job's id is known only now; the files hold a placeholder.
        let jobs = try JSONSerialization.jsonObject(with: Data(queued.utf8)) as? [[String: Any]]
        let id = try #require(jobs?.first?["job_id"] as? String, "recall ingest printed \(queued)")
        run.placeholders.append((id, "<job-id>"))
        try run.compare("ingest-queued", queued, arguments: arguments)
        try await run.check("jobs-show", ["jobs", "show", id, "--json"])
        try await run.check("jobs-list", ["jobs", "list", "--json"])
        try await run.check("cache-clear", ["cache", "clear", "--yes", "--json"])
    }
}
