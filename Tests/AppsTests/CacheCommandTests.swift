import Foundation
import TestSupport
import Testing

/// `recall cache …`, run as the real program: outputs, exit codes, and coherence between
/// separate OS processes sharing the test Redis (each test under its own CACHE_KEY_PREFIX).
@Suite("recall cache", .timeLimit(.minutes(3)))
struct CacheCommandTests {
    static let canary = "CANARY-7d1e-do-not-print"

    /// The environment of a `recall` process on the shared test Redis under `prefix`.
    static func environment(prefix: String, _ extra: [String: String] = [:]) throws -> [String: String] {
        var environment = ["REDIS_URL": try TestServices.url(.redis), "CACHE_KEY_PREFIX": prefix]
        environment.merge(extra) { _, new in new }
        return environment
    }

    static func uniquePrefix() -> String {
        "apps-test-\(UUID().uuidString.prefix(8))"
    }

    static func recall(_ arguments: [String], _ environment: [String: String]) async throws -> TestPrograms.Output {
        try await TestPrograms.runDetached("recall", ["cache"] + arguments, environment: environment)
    }

    static func json(_ output: TestPrograms.Output) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any])
    }

    @Test("key prints the seed's 32-hex key, byte for byte the Python function's")
    func key() async throws {
        // Expected values from the seed's cache_key_for_chat in Python (hashlib.sha256, [:32]).
        let plain = try await Self.recall(["key", "--question", "What is the company policy?"], [:])
        #expect(plain.status == 0)
        #expect(plain.standardOutput == "dad8be40782b9d40def3a3cbeb2e13b5\n")
        let full = try await Self.recall(["key", "--question", "  How do I request time off?", "--session", "s1",
                                    "--model", "default", "--json"], [:])
        #expect(full.status == 0)
        let json = try Self.json(full)
        #expect(json["key"] as? String == "8954357e4b48d038014ad210f430d692")
        #expect(json["normalized_question"] as? String == "how do i request time off?")
    }

    @Test("every command's help has an example")
    func helpExamples() async throws {
        for command in ["key", "get", "set", "exists", "delete", "stats", "invalidate", "clear", "warm", "verify"] {
            let help = try await Self.recall([command, "--help"], [:])
            #expect(help.status == 0)
            #expect(help.standardOutput.contains("Example"), "recall cache \(command) --help has no example")
        }
        let overview = try await Self.recall(["--help"], [:])
        #expect(!overview.standardOutput.contains("flight"), "the diagnostic stays out of the listing")
    }

    @Test("a value set by one process is read, checked and deleted by others", .enabled(if: TestServices.isAvailable(.redis)))
    func coherenceAcrossProcesses() async throws {
        let environment = try Self.environment(prefix: Self.uniquePrefix())
        let set = try await Self.recall(["set", "greeting", #"{"answer": "hello"}"#, "--ttl", "60"], environment)
        #expect(set.status == 0)
        #expect(set.standardOutput == "stored greeting for 60 s\n")

        let get = try await Self.recall(["get", "greeting"], environment)
        #expect(get.status == 0)
        #expect(get.standardOutput == #"{"answer": "hello"}"# + "\n")
        let getJSON = try Self.json(try await Self.recall(["get", "greeting", "--json"], environment))
        #expect(getJSON["found"] as? Bool == true)
        #expect(getJSON["value"] as? String == #"{"answer": "hello"}"#)

        #expect(try await Self.recall(["exists", "greeting"], environment).status == 0)
        let deleted = try await Self.recall(["delete", "greeting", "--json"], environment)
        #expect(deleted.status == 0)
        #expect(try Self.json(deleted)["deleted"] as? Bool == true)
        let gone = try await Self.recall(["exists", "greeting"], environment)
        #expect(gone.status == 1)
        #expect(gone.standardOutput == "absent\n")
        let missing = try await Self.recall(["get", "greeting"], environment)
        #expect(missing.status == 1)
        #expect(missing.standardError.contains("greeting is not in the cache"))
        #expect(try await Self.recall(["delete", "greeting"], environment).standardOutput == "greeting was not in the cache\n")

        // Every entry has a TTL: this one ends while we wait.
        #expect(try await Self.recall(["set", "brief", "x", "--ttl", "1"], environment).status == 0)
        try await Task.sleep(for: .milliseconds(1500))
        #expect(try await Self.recall(["get", "brief"], environment).status == 1)
    }

    @Test("invalidate by model, session, tenant and pattern removes exactly the right keys",
          .enabled(if: TestServices.isAvailable(.redis)))
    func invalidate() async throws {
        let environment = try Self.environment(prefix: Self.uniquePrefix())
        let keys = [
            "chat:t=acme:g=1:m=gpt-4:s=:aa", "chat:t=acme:g=1:m=gpt-4:s=s1:ab",
            "chat:t=acme:g=1:m=gemini:s=s1:ac", "chat:t=acme:g=1:m=gemini:s=:ad",
            "chat:t=globex:g=1:m=gpt-4:s=s1:ba", "chat:t=globex:g=1:m=gemini:s=:bb",
            "chat:t=globex:g=2:m=gemini:s=s2:bc", "notes:keep",
        ]
        for key in keys {
            #expect(try await Self.recall(["set", key, "v"], environment).status == 0)
        }
        func removed(_ arguments: [String]) async throws -> Int {
            let output = try await Self.recall(["invalidate"] + arguments + ["--json"], environment)
            #expect(output.status == 0, "\(output.standardError)")
            return try Self.json(output)["removed"] as? Int ?? -1
        }
        #expect(try await removed(["--model", "gpt-4"]) == 3)
        #expect(try await removed(["--session", "s1"]) == 1)                 // acme gemini s1
        #expect(try await removed(["--tenant", "acme"]) == 1)                // acme gemini, no session
        #expect(try await removed(["--tenant", "globex", "--session", "s2"]) == 1)
        #expect(try await removed(["--pattern", "chat:*"]) == 1)             // globex gemini, no session
        #expect(try await removed(["--pattern", "chat:*"]) == 0)
        #expect(try await Self.recall(["exists", "notes:keep"], environment).status == 0)

        let text = try await Self.recall(["invalidate", "--pattern", "notes:*"], environment)
        #expect(text.standardOutput == "removed 1 key matching notes:*\n")
        let both = try await Self.recall(["invalidate", "--pattern", "x", "--model", "m"], environment)
        #expect(both.status == 2)
        #expect(try await Self.recall(["invalidate"], environment).status == 2)
    }

    @Test("clear refuses without --yes, then removes only this prefix", .enabled(if: TestServices.isAvailable(.redis)))
    func clear() async throws {
        let prefix = Self.uniquePrefix()
        let environment = try Self.environment(prefix: prefix)
        let neighbour = try Self.environment(prefix: prefix + "-other")
        for key in ["a", "b", "c"] { _ = try await Self.recall(["set", key, "v"], environment) }
        _ = try await Self.recall(["set", "a", "v"], neighbour)

        let refused = try await Self.recall(["clear"], environment)
        #expect(refused.status == 2)
        #expect(refused.standardError.contains("--yes"))
        #expect(try await Self.recall(["exists", "a"], environment).status == 0)

        let cleared = try await Self.recall(["clear", "--yes", "--json"], environment)
        #expect(cleared.status == 0)
        #expect(try Self.json(cleared)["removed"] as? Int == 3)
        #expect(try await Self.recall(["exists", "a"], environment).status == 1)
        #expect(try await Self.recall(["exists", "a"], neighbour).status == 0)
        _ = try await Self.recall(["clear", "--yes"], neighbour)
    }

    @Test("two processes missing the same key together compute it once", .enabled(if: TestServices.isAvailable(.redis)))
    func singleFlightAcrossProcesses() async throws {
        let environment = try Self.environment(prefix: Self.uniquePrefix())
        // Both processes look the key up at the same instant, well after both have started, and
        // the computation takes long enough that the second lookup comes while the first runs.
        let startAt = String(Int64(Date().timeIntervalSince1970 * 1000) + 2500)
        let firstArguments = ["flight", "shared-key", "--value", "first", "--compute-ms", "2000", "--start-at-ms", startAt]
        let secondArguments = ["flight", "shared-key", "--value", "second", "--compute-ms", "2000", "--start-at-ms", startAt]
        async let first = Self.recall(firstArguments, environment)
        async let second = Self.recall(secondArguments, environment)
        var results: [[String: Any]] = []
        for output in try await [first, second] {
            #expect(output.status == 0, "\(output.standardError)")
            results.append(try Self.json(output))
        }
        // Neither found the value cached: both missed, one computed, the other waited for it.
        #expect(results.allSatisfy { $0["hit"] as? Bool == false }, "\(results)")
        let computed = results.filter { $0["computed"] as? Bool == true }
        #expect(computed.count == 1, "\(results)")
        let values = Set(results.compactMap { $0["value"] as? String })
        #expect(values.count == 1, "both processes return the one computed value: \(results)")
        #expect(values.first == computed.first?["value"] as? String)
    }

    @Test("stats shows the active backend with the seed's fields", .enabled(if: TestServices.isAvailable(.redis)))
    func stats() async throws {
        let environment = try Self.environment(prefix: Self.uniquePrefix())
        let output = try await Self.recall(["stats", "--json"], environment)
        #expect(output.status == 0)
        let json = try Self.json(output)
        for field in ["backend", "timestamp", "redis_used_memory", "redis_connected_clients", "redis_keyspace_hits",
                      "redis_keyspace_misses", "hit_rate", "configured_backend", "degraded"] {
            #expect(json[field] != nil, "missing \(field)")
        }
        #expect(json["backend"] as? String == "redis")
        let text = try await Self.recall(["stats"], environment)
        #expect(text.standardOutput.contains("backend      redis (CACHE_BACKEND=auto)"))

        let memory = try await Self.recall(["stats", "--json"], ["CACHE_BACKEND": "memory"])
        let memoryJSON = try Self.json(memory)
        #expect(memoryJSON["backend"] as? String == "memory")
        #expect(memoryJSON["memory_cache_max_size"] as? Int == 1000)
    }

    @Test("without a shared cache, data commands exit 69, say what to do, and never print the password")
    func unavailable() async throws {
        let port = try FreePort.loopback()
        let down = ["REDIS_URL": "redis://:\(Self.canary)@127.0.0.1:\(port)/0", "CACHE_TIMEOUT_MS": "200"]
        for arguments in [["get", "k"], ["exists", "k"], ["set", "k", "v"], ["invalidate", "--model", "m"], ["clear", "--yes"]] {
            let output = try await Self.recall(arguments, down)
            #expect(output.status == 69, "\(arguments): \(output.standardError)")
            #expect(output.standardError.contains("does not answer"))
            #expect(output.standardError.contains("next: "))
            #expect(!(output.standardOutput + output.standardError).contains(Self.canary))
        }
        let memory = try await Self.recall(["get", "k"], ["CACHE_BACKEND": "memory"])
        #expect(memory.status == 69)
        #expect(memory.standardError.contains("CACHE_BACKEND=memory"))
        let disabled = try await Self.recall(["get", "k"], ["CACHE_ENABLED": "false", "REDIS_URL": "redis://127.0.0.1:\(port)/0"])
        #expect(disabled.status == 69)
        #expect(disabled.standardError.contains("CACHE_ENABLED=false"))
        let none = try await Self.recall(["exists", "k"], [:])
        #expect(none.status == 69)
        #expect(none.standardError.contains("REDIS_URL"))
        #expect(try await Self.recall(["get", "k"], ["CACHE_TTL_SECONDS": "0"]).status == 78)
    }

    @Test("warm stores given answers under their chat keys, skips cached ones, and refuses bare questions",
          .enabled(if: TestServices.isAvailable(.redis)))
    func warm() async throws {
        let environment = try Self.environment(prefix: Self.uniquePrefix())
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recall-warm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let pairs = directory.appendingPathComponent("answers.json")
        try #"""
            [{"question": "How do I request time off?", "answer": {"text": "Use the HR portal.", "sources": ["hr.pdf"]}},
             {"question": "What are the benefits?", "answer": "See the handbook."}]
            """#.write(to: pairs, atomically: true, encoding: .utf8)

        let first = try await Self.recall(["warm", "--file", pairs.path, "--tenant", "acme", "--model", "m1", "--json"], environment)
        #expect(first.status == 0, "\(first.standardError)")
        let report = try Self.json(first)
        #expect(report["warmed"] as? Int == 2)
        let generation = try #require(report["generation"] as? Int)
        let again = try Self.json(try await Self.recall(["warm", "--file", pairs.path, "--tenant", "acme", "--model", "m1", "--json"],
                                                  environment))
        #expect(again["warmed"] as? Int == 0)
        #expect(again["skipped"] as? Int == 2)
        // Without --json (and not on a terminal) progress comes as plain lines before the summary.
        let plain = try await Self.recall(["warm", "--file", pairs.path, "--tenant", "acme", "--model", "m1"], environment)
        #expect(plain.status == 0)
        #expect(plain.standardOutput.contains("warming: 2/2 questions"), "\(plain.standardOutput)")
        #expect(plain.standardOutput.contains("warmed 0, skipped 2 already cached"))

        let hash = try await Self.recall(["key", "--question", "How do I request time off?", "--model", "m1"], [:])
            .standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let stored = try await Self.recall(["get", "chat:t=acme:g=\(generation):m=m1:s=:\(hash)"], environment)
        #expect(stored.status == 0)
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(stored.standardOutput.utf8)) as? [String: Any])
        #expect(answer["text"] as? String == "Use the HR portal.")

        let questions = directory.appendingPathComponent("questions.txt")
        try "What is the company policy?\nHow do I request time off?\n".write(to: questions, atomically: true, encoding: .utf8)
        let bare = try await Self.recall(["warm", "--file", questions.path], environment)
        #expect(bare.status == 2)
        #expect(bare.standardError.contains("chat engine"))
        _ = try await Self.recall(["clear", "--yes"], environment)
    }

    @Test("verify: a well-configured Redis passes, a default one warns, an absent one fails",
          .enabled(if: RedisServerProcess.isAvailable))
    func verify() async throws {
        let good = try RedisServerProcess(arguments: ["--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru",
                                                      "--appendonly", "yes"])
        defer { good.kill() }
        let ok = try await Self.recall(["verify", "--json"], ["REDIS_URL": good.url])
        #expect(ok.status == 0)
        let okJSON = try Self.json(ok)
        #expect(okJSON["status"] as? String == "ok")
        let checks = try #require(okJSON["checks"] as? [[String: Any]])
        #expect(Set(checks.compactMap { $0["check"] as? String })
                == ["ping", "maxmemory", "maxmemory-policy", "persistence", "memory", "hit-rate"])
        #expect(checks.allSatisfy { $0["status"] as? String == "ok" }, "\(checks)")

        let plain = try RedisServerProcess()
        defer { plain.kill() }
        let warned = try await Self.recall(["verify"], ["REDIS_URL": plain.url])
        #expect(warned.status == 0)
        for line in ["warning  maxmemory ", "warning  maxmemory-policy", "warning  persistence", "ok       ping"] {
            #expect(warned.standardOutput.contains(line), "missing '\(line)' in:\n\(warned.standardOutput)")
        }
        #expect(warned.standardOutput.contains("fix: "))
        #expect(warned.standardOutput.contains("Result: warning (3 warnings, 0 failures)"))

        let port = try FreePort.loopback()
        let failed = try await Self.recall(["verify"], ["REDIS_URL": "redis://:\(Self.canary)@127.0.0.1:\(port)/0"])
        #expect(failed.status == 1)
        #expect(failed.standardOutput.contains("failure"))
        #expect(!failed.standardOutput.contains(Self.canary))
        let unconfigured = try await Self.recall(["verify"], [:])
        #expect(unconfigured.status == 1)
        #expect(unconfigured.standardOutput.contains("no Redis is configured"))
    }
}
