/// Turns texts into vectors for the vector store.
///
/// Every vector returned is a unit vector (L2 norm 1) of exactly ``dimensions`` floats, in the
/// order of the input texts, so inner product equals cosine similarity (pgvector's `<#>`).
/// Vectors of different ``model``s or ``dimensions`` are not comparable: store both next to
/// each vector.
public protocol EmbeddingProvider: Sendable {
    /// The model name stored next to each vector, such as `gemini-embedding-001`.
    var model: String { get }
    /// The length of every returned vector.
    var dimensions: Int { get }

    /// Embeds `texts` for `task`.
    ///
    /// - Parameters:
    ///   - texts: the texts, each well under the model's input limit (2,048 tokens for Gemini).
    ///   - task: what the vectors are for.
    ///   - titles: optional document titles, one per text (nil entries allowed); used only with
    ///     ``EmbeddingTask/retrievalDocument``. When given, it must have as many entries as `texts`.
    /// - Returns: one unit vector of ``dimensions`` floats per text, in input order.
    /// - Throws: ``EmbeddingError``.
    func embed(_ texts: [String], task: EmbeddingTask, titles: [String?]?) async throws -> [[Float]]
}

extension EmbeddingProvider {
    /// Embeds `texts` without titles.
    public func embed(_ texts: [String], task: EmbeddingTask) async throws -> [[Float]] {
        try await embed(texts, task: task, titles: nil)
    }

    /// Embeds one text.
    public func embed(_ text: String, task: EmbeddingTask, title: String? = nil) async throws -> [Float] {
        let vectors = try await embed([text], task: task, titles: title.map { [$0] })
        guard let vector = vectors.first else {
            throw EmbeddingError(.invalidResponse, "\(model) returned no vector for one text")
        }
        return vector
    }
}

/// Checks the titles argument shared by every provider.
func validateTitles(_ titles: [String?]?, count: Int) throws(EmbeddingError) {
    if let titles, titles.count != count {
        throw EmbeddingError(.invalidInput, "\(titles.count) titles were given for \(count) texts; give one title (or nil) per text")
    }
}
