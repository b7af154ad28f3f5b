/// What the response cache stores for a question: the reply without the per-request fields.
///
/// It also reads what `recall cache warm` writes — a bare JSON string, or an object with at least
/// `answer` — so a warmed answer is served instead of counted as unreadable.
struct CachedChatAnswer: Sendable, Codable, Equatable {
    var answer: String
    var sources: [ChatSource]
    var model: String
    /// False for an answer that was cut off; such answers are served once and never stored.
    var complete: Bool

    init(answer: String, sources: [ChatSource], model: String, complete: Bool) {
        self.answer = answer
        self.sources = sources
        self.model = model
        self.complete = complete
    }

    /// Whether this answer may be stored: complete, not empty, and grounded on at least one
    /// source. An answer without sources is the engine's "nothing found" reply; it is cheap to
    /// give again (no generation runs), and caching it would hide documents that arrive while a
    /// process cannot see the shared corpus generation.
    var isCacheable: Bool {
        complete && !answer.allSatisfy(\.isWhitespace) && !sources.isEmpty
    }

    enum CodingKeys: String, CodingKey {
        case answer, sources, model, complete
    }

    init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            self.init(answer: text, sources: [], model: "", complete: true)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            answer: try container.decode(String.self, forKey: .answer),
            sources: try container.decodeIfPresent([ChatSource].self, forKey: .sources) ?? [],
            model: try container.decodeIfPresent(String.self, forKey: .model) ?? "",
            complete: try container.decodeIfPresent(Bool.self, forKey: .complete) ?? true
        )
    }
}
