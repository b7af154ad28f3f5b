/// What an ``AnswerGenerator`` wrote for one question.
public struct GeneratedAnswer: Sendable, Equatable {
    /// The `finishReason` of an answer that ended on its own.
    public static let complete = "STOP"

    /// The answer text, citing the numbered sources as `[n]`.
    public var text: String
    /// The model asked for the answer.
    public var model: String
    /// Why generation ended: ``complete`` (`STOP`) for a finished answer; anything else (such as
    /// `MAX_TOKENS`) means it is partial and is never cached.
    public var finishReason: String
    /// The model version that actually answered, when the API says (Google may route a retired
    /// model to another).
    public var modelVersion: String?
    /// Tokens used, when the generator knows.
    public var usage: TokenUsage?

    /// An answer.
    public init(text: String, model: String, finishReason: String = GeneratedAnswer.complete, modelVersion: String? = nil, usage: TokenUsage? = nil) {
        self.text = text
        self.model = model
        self.finishReason = finishReason
        self.modelVersion = modelVersion
        self.usage = usage
    }

    /// True when the answer ended on its own and has text.
    public var isComplete: Bool {
        finishReason == Self.complete && !text.allSatisfy(\.isWhitespace)
    }
}

/// Token counts of one generation (Gemini's `usageMetadata`).
public struct TokenUsage: Sendable, Equatable, Codable {
    /// `promptTokenCount`.
    public var promptTokens: Int
    /// `candidatesTokenCount`: the answer's tokens.
    public var answerTokens: Int
    /// `thoughtsTokenCount`: thinking, which counts against `maxOutputTokens`.
    public var thoughtsTokens: Int

    /// Counts.
    public init(promptTokens: Int, answerTokens: Int, thoughtsTokens: Int) {
        self.promptTokens = promptTokens
        self.answerTokens = answerTokens
        self.thoughtsTokens = thoughtsTokens
    }
}
