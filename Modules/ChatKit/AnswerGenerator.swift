import VectorStoreKit

/// Writes an answer to a question from retrieved chunks: ``GeminiChat`` or the offline
/// ``ExtractiveAnswerer``.
///
/// Sources are numbered in the order of `context`, from 1; answers cite them as `[n]`.
public protocol AnswerGenerator: Sendable {
    /// The model used when a question names none (`CHAT_MODEL`, or `extractive`).
    var model: String { get }

    /// Answers `question` from `context` only.
    ///
    /// - Parameters:
    ///   - question: the validated, trimmed question.
    ///   - context: the retrieved chunks, best first; never empty when called by ``ChatEngine``.
    ///   - model: the model to use; nil for ``model``.
    /// - Throws: ``ChatError``: a failed, empty or cut-off answer is an error, never a reply.
    func generate(question: String, context: [SearchHit], model: String?) async throws -> GeneratedAnswer

    /// Checks at start-up that the model can answer (Google retires models); throws a
    /// ``ChatError`` naming the setting to change when it cannot. Offline generators always can.
    func checkModel() async throws
}

extension AnswerGenerator {
    /// Nothing to check.
    public func checkModel() async throws {}
}
