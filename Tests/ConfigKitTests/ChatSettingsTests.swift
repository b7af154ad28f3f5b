import Testing
@testable import ConfigKit

/// The chat settings: retrieval depth, question and output limits, and the model allow-list.
@Suite("Chat settings")
struct ChatSettingsTests {
    @Test("defaults: 5 chunks, 2000-character questions, 8192 output tokens, only CHAT_MODEL")
    func defaults() throws {
        let settings = try load().settings
        #expect(settings.chatTopK == 5)
        #expect(settings.chatMaxQuestionCharacters == 2000)
        #expect(settings.chatMaxOutputTokens == 8192)
        #expect(settings.chatAllowedModels.isEmpty)
    }

    @Test("CHAT_ALLOWED_MODELS is a comma-separated list; models/ prefixes and blanks are dropped")
    func allowList() throws {
        let settings = try load(["CHAT_ALLOWED_MODELS": " gemini-2.5-flash-lite, models/gemini-2.5-pro ,,"]).settings
        #expect(settings.chatAllowedModels == ["gemini-2.5-flash-lite", "gemini-2.5-pro"])
    }

    @Test("bad values are reported by name")
    func problemsAreNamed() {
        let found = problems([
            "CHAT_ALLOWED_MODELS": "gemini-2.5-pro,../x", "CHAT_TOP_K": "0", "CHAT_MAX_QUESTION_CHARS": "lots",
            "CHAT_MAX_OUTPUT_TOKENS": "100",
        ])
        #expect(Set(found.map(\.variable)) == ["CHAT_ALLOWED_MODELS", "CHAT_TOP_K", "CHAT_MAX_QUESTION_CHARS", "CHAT_MAX_OUTPUT_TOKENS"])
        #expect(found.first { $0.variable == "CHAT_ALLOWED_MODELS" }?.problem.contains("'../x' is not a model name") == true)
    }
}
