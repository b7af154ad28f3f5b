import Foundation
import TestSupport
import Testing
import VectorStoreKit

/// `recall doctor` against private Redis servers, the test PostgreSQL and a stand-in Gemini.
@Suite("recall doctor", .timeLimit(.minutes(3)))
struct DoctorCommandTests {
    static let canary = "CANARY-doctor-3b7e-do-not-print"

    static func doctor(_ arguments: [String], _ environment: [String: String]) async throws -> TestPrograms.Output {
        try await TestPrograms.runDetached("recall", ["doctor"] + arguments, environment: environment)
    }

    /// The findings of `recall doctor --json`, by check name.
    static func findings(_ output: TestPrograms.Output) throws -> [String: [String: Any]] {
        let list = try #require(try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [[String: Any]],
                                "not a JSON list: \(output.standardOutput) \(output.standardError)")
        for entry in list {
            #expect(Set(entry.keys) == ["check", "status", "detail", "fix"], "\(entry)")
        }
        return Dictionary(list.map { ($0["check"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
    }

    @Test("a Redis without maxmemory or password: warnings with their fixes, exit 0", .enabled(if: RedisServerProcess.isAvailable))
    func unlimitedRedis() async throws {
        let redis = try RedisServerProcess()
        defer { redis.kill() }
        let output = try await Self.doctor(["--json"], ["REDIS_URL": redis.url])
        #expect(output.status == 0, "\(output.standardError)")
        let findings = try Self.findings(output)
        #expect(findings["redis ping"]?["status"] as? String == "ok")
        #expect(findings["redis maxmemory"]?["status"] as? String == "warning")
        #expect((findings["redis maxmemory"]?["fix"] as? String)?.contains("maxmemory 400mb") == true)
        #expect(findings["redis auth"]?["status"] as? String == "warning")
        #expect(findings["redis error-rate"]?["status"] as? String == "ok")
        #expect(findings["redis hit-rate"] != nil)
        #expect(findings["redis ping"]?["fix"] is NSNull, "fix is present and null when ok")
        // Broker falls back to the cache's Redis, whose default policy is noeviction.
        #expect(findings["broker eviction"]?["status"] as? String == "ok")
        #expect(findings["postgres"]?["status"] as? String == "ok")
        #expect((findings["gemini"]?["detail"] as? String)?.hasPrefix("skipped") == true)

        let text = try await Self.doctor([], ["REDIS_URL": redis.url])
        #expect(text.status == 0)
        #expect(text.standardOutput.contains("WARNING  redis maxmemory"), "\(text.standardOutput)")
        #expect(text.standardOutput.contains("fix: set a limit, e.g. `maxmemory 400mb`"))
        #expect(text.standardOutput.contains("0 failures"))
    }

    @Test("Redis with a password: the right one passes, a wrong one fails without being printed",
          .enabled(if: RedisServerProcess.isAvailable))
    func redisAuth() async throws {
        let redis = try RedisServerProcess(password: Self.canary, arguments: ["--maxmemory", "64mb", "--maxmemory-policy", "volatile-lru"])
        defer { redis.kill() }
        let good = try Self.findings(try await Self.doctor(["--json"], ["REDIS_URL": redis.url]))
        #expect(good["redis auth"]?["status"] as? String == "ok")
        #expect(good["redis maxmemory"]?["status"] as? String == "ok")
        let wrong = try await Self.doctor(["--json"], ["REDIS_URL": "redis://:wrong-\(Self.canary)@127.0.0.1:\(redis.port)/0"])
        #expect(wrong.status == 1)
        let findings = try Self.findings(wrong)
        #expect(findings["redis auth"]?["status"] as? String == "failure", "\(findings)")
        #expect((findings["redis auth"]?["fix"] as? String)?.contains("REDIS_AUTH") == true)
        #expect(!wrong.standardOutput.contains(Self.canary) && !wrong.standardError.contains(Self.canary))
    }

    @Test("a broker that evicts allkeys-* under a memory limit is a failure naming BROKER_URL's fix",
          .enabled(if: RedisServerProcess.isAvailable))
    func brokerEviction() async throws {
        let cache = try RedisServerProcess(arguments: ["--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"])
        defer { cache.kill() }
        let broker = try RedisServerProcess(arguments: ["--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"])
        defer { broker.kill() }
        let output = try await Self.doctor(["--json"], ["REDIS_URL": cache.url, "BROKER_URL": broker.url])
        #expect(output.status == 1)
        let findings = try Self.findings(output)
        #expect(findings["broker eviction"]?["status"] as? String == "failure")
        #expect((findings["broker eviction"]?["detail"] as? String)?.contains("allkeys-lru") == true)
        #expect((findings["broker eviction"]?["fix"] as? String)?.contains("noeviction") == true)

        let safe = try RedisServerProcess(arguments: ["--maxmemory", "64mb", "--maxmemory-policy", "noeviction"])
        defer { safe.kill() }
        let fixed = try Self.findings(try await Self.doctor(["--json"], ["REDIS_URL": cache.url, "BROKER_URL": safe.url]))
        #expect(fixed["broker eviction"]?["status"] as? String == "ok")
    }

    @Test("unreachable Redis and PostgreSQL are failures; an invalid configuration exits 78")
    func unreachable() async throws {
        let port = try FreePort.loopback()
        let output = try await Self.doctor(["--json"], [
            "REDIS_URL": "redis://127.0.0.1:\(port)/0",
            "DATABASE_URL": "postgresql://recall:\(Self.canary)@127.0.0.1:\(port)/recall?connect_timeout=2",
        ])
        #expect(output.status == 1)
        let findings = try Self.findings(output)
        #expect(findings["redis ping"]?["status"] as? String == "failure")
        #expect(findings["postgres"]?["status"] as? String == "failure")
        #expect(!output.standardOutput.contains(Self.canary))
        let invalid = try await Self.doctor([], ["EMBEDDING_DIM": "1000"])
        #expect(invalid.status == 78)
        #expect(invalid.standardError.contains("EMBEDDING_DIM"))
    }

    @Test("PostgreSQL: pgvector, migrations and the HNSW index pass; a wrong EMBEDDING_DIM fails naming both numbers",
          .enabled(if: TestServices.isAvailable(.postgres)))
    func database() async throws {
        let base = try TestServices.url(.postgres)
        let name = "recall_doctor_" + UUID().uuidString.lowercased().filter { $0 != "-" }
        let admin = try PostgresPool(url: base, size: 1)
        try await admin.execute("CREATE DATABASE \(name)")
        let query = base.firstIndex(of: "?") ?? base.endIndex
        let slash = try #require(base[..<query].lastIndex(of: "/"))
        let url = String(base[...slash]) + name + String(base[query...])
        do {
            let pool = try PostgresPool(url: url, size: 1)
            let empty = try Self.findings(try await Self.doctor(["--json"], ["DATABASE_URL": url, "EMBEDDING_DIM": "768"]))
            #expect(empty["migrations"]?["status"] as? String == "warning")
            try await Migrator(pool: pool, dimensions: 768).migrate()
            await pool.close()

            let matching = try await Self.doctor(["--json"], ["DATABASE_URL": url, "EMBEDDING_DIM": "768"])
            #expect(matching.status == 0, "\(matching.standardOutput)")
            let good = try Self.findings(matching)
            for check in ["postgres", "pgvector", "migrations", "embedding dimension", "hnsw index"] {
                #expect(good[check]?["status"] as? String == "ok", "\(check): \(good[check] ?? [:])")
            }

            let wrong = try await Self.doctor(["--json"], ["DATABASE_URL": url, "EMBEDDING_DIM": "3072"])
            #expect(wrong.status == 1)
            let dimension = try #require(try Self.findings(wrong)["embedding dimension"])
            #expect(dimension["status"] as? String == "failure")
            let detail = dimension["detail"] as? String ?? ""
            #expect(detail.contains("768") && detail.contains("3072"), "\(detail)")
            #expect((dimension["fix"] as? String)?.contains("EMBEDDING_DIM=768") == true)

            let pool2 = try PostgresPool(url: url, size: 1)
            try await pool2.execute("DROP INDEX chunks_content_vector_hnsw")
            await pool2.close()
            let unindexed = try Self.findings(try await Self.doctor(["--json"], ["DATABASE_URL": url, "EMBEDDING_DIM": "768"]))
            #expect(unindexed["hnsw index"]?["status"] as? String == "warning")
        } catch {
            try await admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            await admin.close()
            throw error
        }
        try await admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        await admin.close()
    }

    @Test("Gemini: a good key and known model pass, an unknown model and a bad key fail, the key is never printed")
    func gemini() async throws {
        let server = try await OperatorTestServer.start()
        let environment = [
            "GEMINI_BASE_URL": server.url, "GEMINI_API_KEY": OperatorTestServer.goodKey,
            "CHAT_PROVIDER": "gemini", "EMBEDDING_PROVIDER": "gemini", "CHAT_MODEL": "gemini-2.5-flash",
        ]
        let good = try await Self.doctor(["--json"], environment)
        #expect(good.status == 0, "\(good.standardOutput)")
        let findings = try Self.findings(good)
        #expect(findings["gemini key"]?["status"] as? String == "ok")
        #expect(findings["gemini chat model"]?["status"] as? String == "ok")
        #expect(findings["gemini embedding model"]?["status"] as? String == "ok")
        #expect(server.requests.contains { $0.path == "/v1beta/models/gemini-2.5-flash" && $0.googleKey == OperatorTestServer.goodKey })

        var unknown = environment
        unknown["CHAT_MODEL"] = "gemini-9-imaginary"
        let missing = try Self.findings(try await Self.doctor(["--json"], unknown))
        #expect(missing["gemini chat model"]?["status"] as? String == "failure")
        #expect((missing["gemini chat model"]?["fix"] as? String)?.contains("CHAT_MODEL") == true)

        var bad = environment
        bad["GEMINI_API_KEY"] = Self.canary
        let rejected = try await Self.doctor(["--json"], bad)
        #expect(rejected.status == 1)
        #expect(try Self.findings(rejected)["gemini key"]?["status"] as? String == "failure")
        #expect(!rejected.standardOutput.contains(Self.canary) && !rejected.standardError.contains(Self.canary))
        await server.stop()
    }
}
