import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("recall-server chat and search")
struct ChatRouteTests {
    static let cacheHeader = HTTPField.Name("X-Cache")!

    static func ask(_ client: any TestClientProtocol, _ body: [String: Any], headers: HTTPFields = ServerHarness.jsonHeaders)
        async throws -> TestResponse {
        try await client.execute(uri: "/api/v1/chat", method: .post, headers: headers, body: ServerHarness.json(body))
    }

    @Test("an answer is computed once (MISS) and then served from the cache (HIT) with the same cache key")
    func missThenHit() async throws {
        try await ServerHarness.withServer { client, _ in
            try await ServerHarness.seed(client)
            let first = try await Self.ask(client, ["question": "How do I request time off?"])
            #expect(first.status == .ok)
            #expect(first.headers[Self.cacheHeader] == "MISS")
            let firstBody = try first.object
            #expect(firstBody["cached"] as? Bool == false)
            #expect(firstBody["answer"] is String)
            #expect(firstBody["sources"] is [Any])
            #expect(firstBody["model"] as? String == "extractive")
            #expect((firstBody["sources"] as? [Any])?.isEmpty == false)
            let key = try #require(firstBody["cache_key"] as? String)
            #expect(key.count == 32)

            // Same question after normalisation: case and white space do not matter.
            let second = try await Self.ask(client, ["question": "  how do I   request TIME off? "])
            #expect(second.headers[Self.cacheHeader] == "HIT")
            #expect(try second.object["cached"] as? Bool == true)
            #expect(try second.object["cache_key"] as? String == key)

            let otherSession = try await Self.ask(client, ["question": "How do I request time off?", "session_id": "s1"])
            #expect(otherSession.headers[Self.cacheHeader] == "MISS")
        }
    }

    @Test("Cache-Control: no-store neither reads nor writes the cache; no-cache recomputes and stores")
    func cacheControl() async throws {
        try await ServerHarness.withServer { client, _ in
            try await ServerHarness.seed(client)
            var headers = ServerHarness.jsonHeaders
            headers[.cacheControl] = "no-store"
            let bypassed = try await Self.ask(client, ["question": "What is the policy?"], headers: headers)
            #expect(bypassed.headers[Self.cacheHeader] == "MISS")
            let afterBypass = try await Self.ask(client, ["question": "What is the policy?"])
            #expect(afterBypass.headers[Self.cacheHeader] == "MISS", "no-store must not have stored the answer")
            #expect(try await Self.ask(client, ["question": "What is the policy?"]).headers[Self.cacheHeader] == "HIT")

            headers[.cacheControl] = "no-cache"
            let refreshed = try await Self.ask(client, ["question": "What is the policy?"], headers: headers)
            #expect(refreshed.headers[Self.cacheHeader] == "MISS")
            #expect(try await Self.ask(client, ["question": "What is the policy?"]).headers[Self.cacheHeader] == "HIT")
        }
    }

    @Test("bad questions are 400 with a message saying what to fix; a non-JSON body is 415", arguments: [
        ("{}", "missing"),
        (#"{"question": "   "}"#, "empty"),
        (#"{"question": 42}"#, "must be a string"),
        ("{not json", "not valid JSON"),
        ("", "needs a JSON body"),
        (#"{"question": "ok", "model": "\#(String(repeating: "m", count: 300))"}"#, "the most is 200"),
    ])
    func badQuestions(body: String, expected: String) async throws {
        try await ServerHarness.withServer { client, _ in
            let response = try await client.execute(uri: "/api/v1/chat", method: .post, headers: ServerHarness.jsonHeaders,
                                                    body: ByteBuffer(string: body))
            #expect(response.status == .badRequest)
            #expect(try response.error.code == "invalid_request")
            let message = try response.error.message
            #expect(message.contains(expected), "\(message)")
        }
    }

    @Test("a question over CHAT_MAX_QUESTION_CHARS is 400 naming the limit")
    func tooLongQuestion() async throws {
        try await ServerHarness.withServer(["CHAT_MAX_QUESTION_CHARS": "100"]) { client, _ in
            let response = try await Self.ask(client, ["question": String(repeating: "why ", count: 30)])
            #expect(response.status == .badRequest)
            #expect(try response.error.message.contains("100"))
        }
    }

    @Test("a body sent as text/plain is 415")
    func wrongMediaType() async throws {
        try await ServerHarness.withServer { client, _ in
            let response = try await client.execute(uri: "/api/v1/chat", method: .post, headers: [.contentType: "text/plain"],
                                                    body: ByteBuffer(string: #"{"question":"hi"}"#))
            #expect(response.status == .unsupportedMediaType)
            #expect(try response.error.code == "unsupported_media_type")
        }
    }

    @Test("search returns the nearest chunks with document_id, title, chunk, score and snippet; k outside 1...50 or no query is 400")
    func search() async throws {
        try await ServerHarness.withServer { client, _ in
            let empty = try await client.execute(uri: "/api/v1/search", method: .post, headers: ServerHarness.jsonHeaders,
                                                 body: ServerHarness.json(["query": "benefits", "k": 3]))
            #expect(try (empty.object["results"] as? [Any])?.isEmpty == true)
            try await ServerHarness.seed(client)
            let response = try await client.execute(uri: "/api/v1/search", method: .post, headers: ServerHarness.jsonHeaders,
                                                    body: ServerHarness.json(["query": "benefits", "k": 3]))
            #expect(response.status == .ok)
            let results = try #require(try response.object["results"] as? [[String: Any]])
            #expect(!results.isEmpty)
            #expect(Set(results[0].keys) == ["document_id", "title", "chunk", "score", "snippet"])
            for body in [["query": "x", "k": 0], ["query": "x", "k": 51], ["k": 3]] as [[String: Any]] {
                let refused = try await client.execute(uri: "/api/v1/search", method: .post, headers: ServerHarness.jsonHeaders,
                                                       body: ServerHarness.json(body))
                #expect(refused.status == .badRequest)
            }
        }
    }
}
