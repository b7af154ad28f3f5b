import VectorStoreKit

/// The prompt that keeps a model to the retrieved documents: a system instruction, and the
/// numbered sources followed by the question.
///
/// Sources are numbered from 1 in retrieval order, the same numbering as ``ChatReply/sources``,
/// so the `[n]` in an answer points at the source the client shows.
public struct GroundedPrompt: Sendable, Equatable {
    /// The rules: answer only from the sources, cite them, admit when they do not say.
    public static let instruction = """
        You answer questions about a company's documents. Use only the numbered sources given \
        with the question, never outside knowledge. Cite the sources that support each statement \
        with their numbers in square brackets, such as [1] or [2][3]. If the sources do not \
        contain the answer, say that the documents do not answer the question. Answer in the \
        language of the question, briefly.
        """

    /// The system instruction (Gemini's `systemInstruction`).
    public let system: String
    /// The user turn: the sources, then the question.
    public let user: String

    /// The prompt for `question` over `context`.
    public init(question: String, context: [SearchHit]) {
        system = Self.instruction
        var text = "Sources:\n"
        for (index, hit) in context.enumerated() {
            text += "\n[\(index + 1)] \(hit.title) (chunk \(hit.ordinal))\n\(hit.content)\n"
        }
        text += "\nQuestion: \(question)"
        user = text
    }
}
