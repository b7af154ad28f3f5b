import Foundation
import TestSupport
import Testing

/// `recall … --server URL` against a real recall-server process: the answers, the shared JSON
/// shapes, the server's refusals as messages and exit statuses, and an unreachable server.
@Suite("recall --server", .serialized, .timeLimit(.minutes(3)))
struct ServerModeCommandTests {
    static func recall(_ arguments: [String], _ environment: [String: String] = [:]) async throws -> TestPrograms.Output {
        try await TestPrograms.runDetached("recall", arguments, environment: environment)
    }

    static func object(_ output: TestPrograms.Output) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any],
                     "not a JSON object: \(output.standardOutput) \(output.standardError)")
    }

    @Test("ask through the server answers like the direct ask, then from the server's cache; cache stats shows both",
          .enabled(if: TestServices.isAvailable(.postgres)))
    func askAndStats() async throws {
        let database = try await ChatCommandTests.handbook()
        defer { database.drop() }
        let server = try await RecallServerProcess(environment: ChatCommandTests.environment(database: database))
        defer { server.stop() }
        let question = "How many vacation days do employees get?"

        let direct = try await Self.recall(["ask", question, "--json"], ChatCommandTests.environment(database: database))
        let first = try await Self.recall(["ask", question, "--server", server.url, "--json"])
        let second = try await Self.recall(["ask", question, "--server", server.url])
        #expect(direct.status == 0, "\(direct.standardError)")
        #expect(first.status == 0, "\(first.standardError)")
        // The same engine on the same documents, not cached on either side yet: the same JSON.
        #expect(first.standardOutput == direct.standardOutput)
        #expect(try Self.object(first)["cached"] as? Bool == false)
        #expect(second.status == 0, "\(second.standardError)")
        #expect(second.standardOutput.hasPrefix("Employees get 25 vacation days per year. [1]"))
        #expect(second.standardOutput.contains("from the cache"))
        #expect(second.standardOutput.contains("X-Cache HIT"))

        let remoteStats = try await Self.recall(["cache", "stats", "--server", server.url, "--json"])
        let localStats = try await Self.recall(["cache", "stats", "--json"], ["CACHE_BACKEND": "memory"])
        #expect(remoteStats.status == 0, "\(remoteStats.standardError)")
        let stats = try Self.object(remoteStats)
        #expect(stats["backend"] as? String == "memory")
        #expect(stats["hits"] as? Int == 1)
        #expect(stats["misses"] as? Int == 1)
        #expect(Set(stats.keys) == Set(try Self.object(localStats).keys))

        let search = try await Self.recall(["search", "parking permits", "--k", "1", "--server", server.url])
        #expect(search.status == 0, "\(search.standardError)")
        #expect(search.standardOutput.contains("Parking (document"))
    }

    @Test("cache warm has the server answer a list of questions; ingest --wait follows the server's job to its end",
          .enabled(if: TestServices.isAvailable(.postgres)))
    func warmAndIngest() async throws {
        let database = try await ChatCommandTests.handbook()
        defer { database.drop() }
        let server = try await RecallServerProcess(environment: ChatCommandTests.environment(database: database, [
            "ADMIN_TOKEN": "warm-admin-token-51e",
        ]))
        defer { server.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recall-warm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let questions = directory.appendingPathComponent("questions.json")
        try Data(#"["Where do parking permits come from?"]"#.utf8).write(to: questions)

        let warm = try await Self.recall(["cache", "warm", "--file", questions.path, "--server", server.url, "--json"],
                                         ["ADMIN_TOKEN": "warm-admin-token-51e"])
        #expect(warm.status == 0, "\(warm.standardError)")
        let report = try Self.object(warm)
        #expect(report["warmed"] as? Int == 1)
        #expect(report["generation"] is NSNull)
        let warmed = try await Self.recall(["ask", "Where do parking permits come from?", "--server", server.url, "--json"])
        #expect(try Self.object(warmed)["cached"] as? Bool == true)

        let file = directory.appendingPathComponent("travel.md")
        try Data("# Travel\n\nBook trains through the travel desk.\n".utf8).write(to: file)
        let ingest = try await Self.recall(["ingest", file.path, "--server", server.url, "--wait", "--json"])
        #expect(ingest.status == 0, "\(ingest.standardError)")
        let jobs = try #require(try JSONSerialization.jsonObject(with: Data(ingest.standardOutput.utf8)) as? [[String: Any]])
        #expect(jobs.first?["status"] as? String == "succeeded")
        let search = try await Self.recall(["search", "book trains travel desk", "--k", "1", "--server", server.url])
        #expect(search.standardOutput.contains("travel"), "\(search.standardOutput)")
    }

    @Test("admin commands without or with a wrong ADMIN_TOKEN print the server's message and exit 1; the right one works")
    func adminToken() async throws {
        let server = try await RecallServerProcess(environment: [
            "EMBEDDING_PROVIDER": "local", "CHAT_PROVIDER": "extractive", "CACHE_BACKEND": "memory",
            "ADMIN_TOKEN": "right-admin-token-3c1",
        ])
        defer { server.stop() }

        let missing = try await Self.recall(["cache", "clear", "--yes", "--server", server.url])
        #expect(missing.status == 1)
        #expect(missing.standardError.contains("HTTP 401 unauthorized: this admin route needs Authorization: Bearer <ADMIN_TOKEN>"))
        #expect(missing.standardError.contains("next: set ADMIN_TOKEN"))

        let wrong = try await Self.recall(["cache", "invalidate", "--model", "m1", "--server", server.url],
                                          ["ADMIN_TOKEN": "wrong-admin-token-9f2"])
        #expect(wrong.status == 1)
        #expect(wrong.standardError.contains("HTTP 403 forbidden: the admin token is wrong"))
        #expect(!(wrong.standardOutput + wrong.standardError).contains("wrong-admin-token-9f2"))

        let right = try await Self.recall(["cache", "invalidate", "--model", "m1", "--session", "s1", "--server", server.url, "--json"],
                                          ["ADMIN_TOKEN": "right-admin-token-3c1"])
        #expect(right.status == 0, "\(right.standardError)")
        let outcome = try Self.object(right)
        #expect(outcome["pattern"] as? String == "chat:t=*:g=*:m=m1:s=s1:*")
        #expect(outcome["removed"] as? Int == 0)
    }

    @Test("ingest and jobs go through the server with the API key; a job reads the same through the server and the broker",
          .enabled(if: TestServices.isAvailable(.redis)))
    func ingestAndJobsWithAPIKey() async throws {
        let jobs = ["BROKER_URL": try TestServices.url(.redis), "JOB_KEY_PREFIX": "apps-remote-\(UUID().uuidString.prefix(8))"]
        let server = try await RecallServerProcess(environment: jobs.merging([
            "EMBEDDING_PROVIDER": "local", "CACHE_BACKEND": "memory", "API_KEYS": "cli-key-77a:acme",
        ]) { $1 })
        defer { server.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recall-remote-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("handbook.md").path
        try Data("# Handbook\n\nThe garage opens at seven.\n".utf8).write(to: URL(fileURLWithPath: file))

        let keyless = try await Self.recall(["ingest", file, "--server", server.url])
        #expect(keyless.status == 1)
        #expect(keyless.standardError.contains("HTTP 401 unauthorized: this route needs an API key"))
        #expect(keyless.standardError.contains("--api-key or RECALL_API_KEY"))

        let queued = try await Self.recall(["ingest", file, "--server", server.url, "--json"], ["RECALL_API_KEY": "cli-key-77a"])
        #expect(queued.status == 0, "\(queued.standardError)")
        let accepted = try #require(try JSONSerialization.jsonObject(with: Data(queued.standardOutput.utf8)) as? [[String: Any]])
        let id = try #require(accepted.first?["job_id"] as? String)
        #expect(accepted.first?["status"] as? String == "queued")

        // No worker runs, so the job stays queued while both paths read it.
        let remote = try await Self.recall(["jobs", "show", id, "--server", server.url, "--api-key", "cli-key-77a", "--json"])
        let local = try await Self.recall(["jobs", "show", id, "--json"], jobs)
        #expect(remote.status == 0, "\(remote.standardError)")
        #expect(local.status == 0, "\(local.standardError)")
        #expect(remote.standardOutput == local.standardOutput)

        let list = try await Self.recall(["jobs", "list", "--server", server.url], ["RECALL_API_KEY": "cli-key-77a"])
        #expect(list.status == 0, "\(list.standardError)")
        #expect(list.standardOutput.contains("queued 1"))
        #expect(list.standardOutput.contains(id))
        #expect(!(list.standardOutput + list.standardError + remote.standardError).contains("cli-key-77a"))
    }

    @Test("a server that does not answer is exit 69 with its URL; commands without a route do not take --server")
    func unreachableAndUnsupported() async throws {
        let url = "http://127.0.0.1:\(try FreePort.loopback())"
        let unreachable = try await Self.recall(["cache", "stats", "--server", url])
        #expect(unreachable.status == 69)
        #expect(unreachable.standardError.contains("the recall-server at \(url) does not answer"))

        let fromEnvironment = try await Self.recall(["jobs", "list"], ["RECALL_SERVER_URL": url])
        #expect(fromEnvironment.status == 69)
        #expect(fromEnvironment.standardError.contains(url))

        let unsupported = try await Self.recall(["cache", "get", "some-key", "--server", url])
        #expect(unsupported.status == 2)
        #expect(unsupported.standardError.contains("Unknown option '--server'"))

        let direct = try await Self.recall(["ingest", "README.md", "--direct", "--server", url])
        #expect(direct.status == 2)
        #expect(direct.standardError.contains("drop it to ingest through --server"))

        let notURL = try await Self.recall(["ask", "hello", "--server", "127.0.0.1:8000"])
        #expect(notURL.status == 2)
        #expect(notURL.standardError.contains("must be an http:// or https:// URL"))
    }
}
