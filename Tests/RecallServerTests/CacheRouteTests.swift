import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("recall-server cache routes")
struct CacheRouteTests {
    @Test("stats report the memory backend's seed fields and this process's hit rate")
    func stats() async throws {
        try await ServerHarness.withServer { client, _ in
            try await ServerHarness.seed(client)
            _ = try await ChatRouteTests.ask(client, ["question": "one"])
            _ = try await ChatRouteTests.ask(client, ["question": "one"])
            let response = try await client.execute(uri: "/api/v1/cache/stats", method: .get)
            #expect(response.status == .ok)
            let object = try response.object
            #expect(object["backend"] as? String == "memory")
            #expect(object["timestamp"] is Double)
            #expect(object["memory_cache_size"] as? Int == 1)
            #expect(object["memory_cache_max_size"] as? Int == 1000)
            #expect(object["memory_cache_default_ttl"] as? Int == 3600)
            #expect(object["process_hit_rate"] as? Double == 0.5)
        }
    }

    @Test("admin routes: no token configured → 403 saying how to enable, no header → 401, wrong token → 403")
    func adminAuthorization() async throws {
        let routes: [(String, HTTPRequest.Method, ByteBuffer)] = [
            ("/api/v1/cache/invalidate", .post, ServerHarness.json(["model": "x"])), ("/api/v1/cache", .delete, ServerHarness.json([:])),
            ("/api/v1/cache/warm", .post, ServerHarness.json(["questions": ["q"]])),
        ]
        try await ServerHarness.withServer(["ADMIN_TOKEN": ""]) { client, _ in
            for (uri, method, body) in routes {
                let response = try await client.execute(uri: uri, method: method, headers: ServerHarness.admin(), body: body)
                #expect(response.status == .forbidden)
                #expect(try response.error.code == "admin_disabled")
                #expect(try response.error.message.contains("set ADMIN_TOKEN"))
            }
        }
        try await ServerHarness.withServer { client, _ in
            for (uri, method, body) in routes {
                let missing = try await client.execute(uri: uri, method: method, headers: ServerHarness.jsonHeaders, body: body)
                #expect(missing.status == .unauthorized)
                #expect(missing.headers[.wwwAuthenticate] == "Bearer")
                var wrong = ServerHarness.jsonHeaders
                wrong[.authorization] = "Bearer not-the-token"
                let refused = try await client.execute(uri: uri, method: method, headers: wrong, body: body)
                #expect(refused.status == .forbidden)
                #expect(try !refused.error.message.contains(ServerHarness.adminToken))
            }
        }
    }

    @Test("invalidate by model, session or tenant removes the matching answers only; exactly one selector is required")
    func invalidate() async throws {
        try await ServerHarness.withServer(["CHAT_ALLOWED_MODELS": "m1,m2"]) { client, _ in
            try await ServerHarness.seed(client)
            _ = try await ChatRouteTests.ask(client, ["question": "a", "model": "m1"])
            _ = try await ChatRouteTests.ask(client, ["question": "b", "model": "m1"])
            _ = try await ChatRouteTests.ask(client, ["question": "a", "model": "m2", "session_id": "s9"])

            let byModel = try await client.execute(uri: "/api/v1/cache/invalidate", method: .post, headers: ServerHarness.admin(),
                                                   body: ServerHarness.json(["model": "m1"]))
            #expect(byModel.status == .ok)
            #expect(try byModel.object["deleted"] as? Int == 2)
            #expect(try await ChatRouteTests.ask(client, ["question": "a", "model": "m2", "session_id": "s9"])
                .headers[ChatRouteTests.cacheHeader] == "HIT")

            let bySession = try await client.execute(uri: "/api/v1/cache/invalidate", method: .post, headers: ServerHarness.admin(),
                                                     body: ServerHarness.json(["session_id": "s9"]))
            #expect(try bySession.object["deleted"] as? Int == 1)

            for body in [[:], ["model": "x", "tenant": "y"]] as [[String: Any]] {
                let refused = try await client.execute(uri: "/api/v1/cache/invalidate", method: .post,
                                                       headers: ServerHarness.admin(), body: ServerHarness.json(body))
                #expect(refused.status == .badRequest)
            }
        }
    }

    @Test("DELETE /api/v1/cache removes every entry and says how many")
    func clear() async throws {
        try await ServerHarness.withServer { client, _ in
            try await ServerHarness.seed(client)
            _ = try await ChatRouteTests.ask(client, ["question": "a"])
            _ = try await ChatRouteTests.ask(client, ["question": "b"])
            let response = try await client.execute(uri: "/api/v1/cache", method: .delete, headers: ServerHarness.admin())
            #expect(response.status == .ok)
            #expect(try response.object["deleted"] as? Int == 2)
            #expect(try await ChatRouteTests.ask(client, ["question": "a"]).headers[ChatRouteTests.cacheHeader] == "MISS")
        }
    }

    @Test("warming computes the questions not cached and skips the rest; warmed answers are HITs")
    func warm() async throws {
        try await ServerHarness.withServer { client, _ in
            try await ServerHarness.seed(client)
            let body: [String: Any] = ["questions": ["What are the benefits?", "How do I request time off?"], "ttl": 120]
            let first = try await client.execute(uri: "/api/v1/cache/warm", method: .post, headers: ServerHarness.admin(),
                                                 body: ServerHarness.json(body))
            #expect(first.status == .ok)
            #expect(try first.object["warmed"] as? Int == 2)
            #expect(try first.object["skipped"] as? Int == 0)
            let again = try await client.execute(uri: "/api/v1/cache/warm", method: .post, headers: ServerHarness.admin(),
                                                 body: ServerHarness.json(body))
            #expect(try again.object["skipped"] as? Int == 2)
            #expect(try await ChatRouteTests.ask(client, ["question": "what are the benefits?"])
                .headers[ChatRouteTests.cacheHeader] == "HIT")

            for bad in [["questions": []], ["questions": ["q"], "ttl": 0], ["ttl": 5]] as [[String: Any]] {
                let refused = try await client.execute(uri: "/api/v1/cache/warm", method: .post, headers: ServerHarness.admin(),
                                                       body: ServerHarness.json(bad))
                #expect(refused.status == .badRequest)
            }
        }
    }
}
