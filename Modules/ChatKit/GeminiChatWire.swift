/// The JSON of Gemini's `generateContent` (v1beta) and `models.get`, as documented: lowerCamelCase
/// protobuf JSON names.
enum GeminiChatWire {
    struct Part: Codable {
        var text: String?
        /// True on thinking parts (sent only with `includeThoughts`); never part of the answer.
        var thought: Bool?
    }

    struct Content: Codable {
        var role: String?
        var parts: [Part]?
    }

    struct GenerationConfig: Encodable {
        let temperature: Double
        let maxOutputTokens: Int
        let candidateCount: Int
        let responseMimeType: String
    }

    /// The body of `generateContent`.
    struct Request: Encodable {
        let systemInstruction: Content
        let contents: [Content]
        let generationConfig: GenerationConfig
    }

    struct Candidate: Decodable {
        let content: Content?
        let finishReason: String?
    }

    struct PromptFeedback: Decodable {
        let blockReason: String?
    }

    struct UsageMetadata: Decodable {
        let promptTokenCount: Int?
        let candidatesTokenCount: Int?
        let thoughtsTokenCount: Int?
    }

    /// `generateContent`'s answer.
    struct Response: Decodable {
        let candidates: [Candidate]?
        let promptFeedback: PromptFeedback?
        let usageMetadata: UsageMetadata?
        let modelVersion: String?
    }

    /// `GET models/{model}`: the fields the start-up check reads.
    struct Model: Decodable {
        let name: String?
        let inputTokenLimit: Int?
        let outputTokenLimit: Int?
        let supportedGenerationMethods: [String]?
    }
}
