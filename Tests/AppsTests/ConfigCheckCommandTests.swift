import Foundation
import TestSupport
import Testing

/// `recall config check`, run as the real program in a directory with no `.env` of its own.
@Suite("recall config check")
struct ConfigCheckCommandTests {
    static let canary = "CANARY-41b7-do-not-print"

    @Test("a valid configuration prints settings and backends and exits 0")
    func valid() throws {
        let output = try TestPrograms.run("recall", ["config", "check"], environment: ["CACHE_TTL_SECONDS": "120"])
        #expect(output.status == 0)
        #expect(output.standardOutput.contains("Configuration is valid"))
        // Names are padded to the longest variable name, which grows as settings are added.
        #expect(output.standardOutput.contains(/CACHE_TTL_SECONDS +120  \[environment\]/))
        #expect(output.standardOutput.contains("cache       memory"))
    }

    @Test("every problem is listed and the exit status is 78")
    func invalid() throws {
        let output = try TestPrograms.run("recall", ["config", "check"], environment: ["EMBEDDING_DIM": "1000", "PORT": "x"])
        #expect(output.status == 78)
        #expect(output.standardOutput.contains("EMBEDDING_DIM=1000"))
        #expect(output.standardOutput.contains("gemini-embedding-001 takes 768, 1536 or 3072"))
        #expect(output.standardOutput.contains("PORT=x"))
    }

    @Test("--env-file is read, and a bad line names the file and line")
    func envFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recall-apps-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let good = directory.appendingPathComponent("good.env")
        try "CACHE_MAX_SIZE=77\n".write(to: good, atomically: true, encoding: .utf8)
        let ok = try TestPrograms.run("recall", ["config", "check", "--env-file", good.path, "--json"])
        #expect(ok.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(ok.standardOutput.utf8)) as? [String: Any])
        let settings = try #require(json["settings"] as? [[String: String]])
        #expect(settings.contains { $0["name"] == "CACHE_MAX_SIZE" && $0["value"] == "77" && $0["source"] == ".env" })

        let bad = directory.appendingPathComponent("bad.env")
        try "PORT=1\nnot an assignment\n".write(to: bad, atomically: true, encoding: .utf8)
        let failed = try TestPrograms.run("recall", ["config", "check", "--env-file", bad.path])
        #expect(failed.status == 78)
        #expect(failed.standardOutput.contains(bad.path))
        #expect(failed.standardOutput.contains("line 2"))
    }

    @Test("secrets never appear in text or JSON output, valid or not", arguments: [["--json"], []])
    func redaction(format: [String]) throws {
        let secrets = [
            "GEMINI_API_KEY": Self.canary, "ADMIN_TOKEN": Self.canary, "REDIS_AUTH": Self.canary,
            "REDIS_HOST": "127.0.0.1", "DATABASE_URL": "postgresql://u:\(Self.canary)@127.0.0.1/db",
        ]
        let valid = try TestPrograms.run("recall", ["config", "check"] + format, environment: secrets)
        #expect(valid.status == 0)
        #expect(valid.standardOutput.contains("***"))
        #expect(!(valid.standardOutput + valid.standardError).contains(Self.canary))

        var broken = secrets
        broken["REDIS_URL"] = "rediss://:\(Self.canary)@127.0.0.1:1"
        broken["EMBEDDING_DIM"] = "12"
        let invalid = try TestPrograms.run("recall", ["config", "check"] + format, environment: broken)
        #expect(invalid.status == 78)
        #expect(!(invalid.standardOutput + invalid.standardError).contains(Self.canary))
    }
}
