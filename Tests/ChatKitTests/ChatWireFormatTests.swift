import Foundation
import Testing
@testable import ChatKit

/// The JSON other programs rely on: the reply body of `POST /api/v1/chat`, and what the cache
/// stores (including what `recall cache warm` writes).
@Suite("Chat JSON")
struct ChatWireFormatTests {
    @Test("a reply encodes with the contract's snake_case names")
    func replyNames() throws {
        let reply = ChatReply(
            answer: "Ask your manager [1].",
            sources: [ChatSource(documentID: 7, title: "Handbook", chunk: 2, score: 0.91, snippet: "Time off…")],
            cached: true, model: "gemini-2.5-flash", cacheKey: "0123456789abcdef0123456789abcdef"
        )
        let object = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(reply)) as? [String: Any])
        #expect(Set(object.keys) == ["answer", "sources", "cached", "model", "cache_key"])
        let source = try #require((object["sources"] as? [[String: Any]])?.first)
        #expect(Set(source.keys) == ["document_id", "title", "chunk", "score", "snippet"])
        #expect(source["document_id"] as? Int == 7)
        #expect(try JSONDecoder().decode(ChatReply.self, from: JSONEncoder().encode(reply)) == reply)
    }

    @Test("a warmed entry (a bare string or an object with just an answer) reads as a cached answer")
    func warmedEntries() throws {
        let bare = try JSONDecoder().decode(CachedChatAnswer.self, from: Data(#""Ask HR.""#.utf8))
        #expect(bare.answer == "Ask HR.")
        #expect(bare.sources.isEmpty)
        let object = try JSONDecoder().decode(CachedChatAnswer.self, from: Data(#"{"answer": "Ask HR."}"#.utf8))
        #expect(object == CachedChatAnswer(answer: "Ask HR.", sources: [], model: "", complete: true))
    }

    @Test("only complete, non-empty answers with sources may be cached")
    func cacheability() {
        let source = ChatSource(documentID: 1, title: "t", chunk: 0, score: 1, snippet: "s")
        #expect(CachedChatAnswer(answer: "Yes [1].", sources: [source], model: "m", complete: true).isCacheable)
        #expect(!CachedChatAnswer(answer: "Yes [1].", sources: [source], model: "m", complete: false).isCacheable)
        #expect(!CachedChatAnswer(answer: "  \n", sources: [source], model: "m", complete: true).isCacheable)
        #expect(!CachedChatAnswer(answer: ChatEngine.nothingFound, sources: [], model: "m", complete: true).isCacheable)
    }

    @Test("errors carry the HTTP status and code the server sends")
    func errorStatuses() {
        #expect(ChatError(.invalidQuestion, "x").httpStatus == 400)
        #expect(ChatError(.invalidModel, "x").httpStatus == 400)
        #expect(ChatError(.rateLimited, "x").httpStatus == 429)
        #expect(ChatError(.modelUnavailable, "x").httpStatus == 503)
        #expect(ChatError(.generationFailed, "x").code == "generation_failed")
    }
}
