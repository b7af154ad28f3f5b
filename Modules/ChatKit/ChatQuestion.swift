/// One question to ``ChatEngine/answer(_:)``, with the parts of its cache key.
public struct ChatQuestion: Sendable, Hashable {
    /// The question as the user wrote it; it must not be empty once trimmed, and may be at most
    /// the engine's `maxQuestionCharacters` long (`CHAT_MAX_QUESTION_CHARS`).
    public var question: String
    /// The chat session, if any: answers are cached per session.
    public var sessionID: String?
    /// The model to answer with; nil for the generator's configured model (`CHAT_MODEL`).
    public var model: String?
    /// Whose documents to search and whose cache entries to use; nil, `""` and `"default"` all
    /// mean the default tenant (documents stored with tenant `""`).
    public var tenant: String?
    /// Whether to read and write the response cache.
    public var cachePolicy: ChatCachePolicy

    /// A question; everything but the text is optional.
    public init(
        question: String,
        sessionID: String? = nil,
        model: String? = nil,
        tenant: String? = nil,
        cachePolicy: ChatCachePolicy = .normal
    ) {
        self.question = question
        self.sessionID = sessionID
        self.model = model
        self.tenant = tenant
        self.cachePolicy = cachePolicy
    }
}
