import ChatKit
import EmbeddingsKit
import FakeGemini
import Foundation
import Testing
import VectorStoreKit

/// The Gemini answer client against the fake: what goes over the wire, and the start-up check.
@Suite("GeminiChat against the fake Gemini API")
struct GeminiChatTests {
    static let context = [
        SearchHit(chunkID: 1, documentID: 10, title: "Vacation policy", source: "v.txt", ordinal: 0,
                  content: "Employees get 25 vacation days per year.", score: 0.9),
        SearchHit(chunkID: 2, documentID: 11, title: "Expenses", source: "e.txt", ordinal: 3,
                  content: "Expense reports are due on the fifth.", score: 0.4),
    ]

    static func client(_ fake: FakeGeminiServer, model: String = "gemini-2.5-flash") throws -> GeminiChat {
        try GeminiChat(configuration: .init(apiKey: FakeGeminiServer.apiKey, model: model, baseURL: fake.baseURL,
                                            retry: .none),
                       logger: silentLogger)
    }

    @Test("generateContent gets the documented body, the key in the header only, and room to think")
    func requestShape() async throws {
        let fake = try await FakeGeminiServer.start()
        let answer = try await Self.client(fake).generate(question: "How many vacation days?", context: Self.context, model: nil)
        let sent = fake.requests
        await fake.stop()

        #expect(answer.text.hasSuffix("[1]"))
        #expect(answer.finishReason == "STOP")
        #expect(answer.modelVersion == "gemini-2.5-flash")
        let request = try #require(sent.only)
        #expect(request.method == "POST")
        #expect(request.path == "/v1beta/models/gemini-2.5-flash:generateContent")
        #expect(request.query.isEmpty, "the key must not travel in the URL")
        #expect(request.headers["x-goog-api-key"] == FakeGeminiServer.apiKey)
        #expect(request.headers["content-type"] == "application/json")
        let body = try #require(request.json)
        #expect(Set(body.keys) == ["systemInstruction", "contents", "generationConfig"])
        let system = try #require((body["systemInstruction"] as? [String: Any])?["parts"] as? [[String: Any]])
        #expect(system.first?["text"] as? String == GroundedPrompt.instruction)
        let contents = try #require(body["contents"] as? [[String: Any]])
        #expect(contents.count == 1)
        #expect(contents.first?["role"] as? String == "user")
        let user = try #require((contents.first?["parts"] as? [[String: Any]])?.first?["text"] as? String)
        #expect(user == """
            Sources:

            [1] Vacation policy (chunk 0)
            Employees get 25 vacation days per year.

            [2] Expenses (chunk 3)
            Expense reports are due on the fifth.

            Question: How many vacation days?
            """)
        let configuration = try #require(body["generationConfig"] as? [String: Any])
        #expect(configuration["maxOutputTokens"] as? Int == 8192)
        #expect(configuration["temperature"] as? Double == 0.2)
        #expect(configuration["candidateCount"] as? Int == 1)
        #expect(configuration["thinkingConfig"] == nil, "its shape differs between model families")
    }

    @Test("a question naming another model is sent to that model")
    func perQuestionModel() async throws {
        let fake = try await FakeGeminiServer.start(models: ["gemini-2.5-flash", "gemini-2.5-flash-lite"])
        let answer = try await Self.client(fake).generate(question: "Vacation?", context: Self.context, model: "models/gemini-2.5-flash-lite")
        let path = fake.requests.first?.path
        await fake.stop()
        #expect(answer.model == "gemini-2.5-flash-lite")
        #expect(path == "/v1beta/models/gemini-2.5-flash-lite:generateContent")
    }

    @Test("checkModel passes for a served chat model and reads its limits")
    func checkModelPasses() async throws {
        let fake = try await FakeGeminiServer.start()
        let client = try Self.client(fake)
        try await client.checkModel()
        let info = try await client.modelInfo()
        let request = fake.requests.first
        await fake.stop()
        #expect(info.supportedGenerationMethods.contains("generateContent"))
        #expect(info.outputTokenLimit == 65_536)
        #expect(request?.method == "GET")
        #expect(request?.path == "/v1beta/models/gemini-2.5-flash")
    }

    @Test("checkModel on a retired or unknown model names CHAT_MODEL; an embedding model cannot answer")
    func checkModelFails() async throws {
        let fake = try await FakeGeminiServer.start()
        let retired = await #expect(throws: ChatError.self) { try await Self.client(fake, model: "gemini-1.5-flash").checkModel() }
        let embedding = await #expect(throws: ChatError.self) { try await Self.client(fake, model: "gemini-embedding-001").checkModel() }
        await fake.stop()

        #expect(retired?.kind == .modelUnavailable)
        #expect(retired?.message.contains("404") == true)
        #expect(retired?.message.contains("check CHAT_MODEL ('gemini-1.5-flash')") == true, "\(retired?.message ?? "")")
        #expect(retired?.message.contains(FakeGeminiServer.apiKey) == false)
        #expect(embedding?.kind == .modelUnavailable)
        #expect(embedding?.message.contains("cannot write answers") == true)
    }

    @Test("a wrong key is a configuration error that never shows the key")
    func wrongKey() async throws {
        let fake = try await FakeGeminiServer.start()
        let canary = "CANARY-chat-key-31"
        let client = try GeminiChat(configuration: .init(apiKey: canary, baseURL: fake.baseURL, retry: .none), logger: silentLogger)
        let error = await #expect(throws: ChatError.self) { try await client.generate(question: "q", context: Self.context, model: nil) }
        await fake.stop()
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("GEMINI_API_KEY") == true)
        #expect(error?.message.contains(canary) == false)
    }

    @Test("no key or a malformed model is refused at construction")
    func construction() {
        #expect(throws: ChatError.self) { try GeminiChat(configuration: .init(apiKey: "")) }
        #expect(throws: ChatError.self) { try GeminiChat(configuration: .init(apiKey: "k", model: "a/b")) }
        #expect(!"\(GeminiChat.Configuration(apiKey: "secret-abc"))".contains("secret-abc"))
    }
}

extension Array {
    /// The one element, or nil when there are none or several.
    var only: Element? { count == 1 ? first : nil }
}
