import EmbeddingsKit
import Testing

@Suite("LocalEmbeddings: offline lexical feature hashing")
struct LocalEmbeddingsTests {
    @Test("the same text gives the same unit vector, in any instance")
    func deterministic() async throws {
        let a = try LocalEmbeddings(dimensions: 768)
        let b = try LocalEmbeddings(dimensions: 768)
        let text = "Recall keeps its answer cache coherent across processes."
        let first = try await a.embed(text, task: .retrievalDocument)
        #expect(first == (try await b.embed(text, task: .retrievalDocument)))
        #expect(first == a.vector(for: text))
        #expect(first.count == 768)
        #expect(a.model == "local-feature-hashing-v1")
        // Pinned so that a change of features or hashing (which would silently make stored
        // vectors incomparable) fails here and comes with a new model name.
        let small = try LocalEmbeddings(dimensions: 8).vector(for: "hello world")
        #expect(small.map { ($0 * 1000).rounded() / 1000 } == LocalEmbeddingsTests.helloWorld8)
    }

    static let helloWorld8: [Float] = [0, 0, 0, 0, -0.565, 0, 0.753, 0.339]

    @Test("every vector is unit length, even for empty or symbol-only text", arguments: [
        "", "   ", "?!…", "a", "the of and", "Ünïcödé façade — naïve café", "日本語のテキスト", String(repeating: "word ", count: 5000),
    ])
    func normalised(text: String) async throws {
        for dimensions in [768, 1536, 3072] {
            let vector = try LocalEmbeddings(dimensions: dimensions).vector(for: text)
            #expect(vector.count == dimensions)
            #expect(abs(norm(vector) - 1) < 1e-5, "\(text.prefix(20)) at \(dimensions)")
        }
    }

    @Test("texts sharing words are closer than unrelated ones")
    func similarity() async throws {
        let local = try LocalEmbeddings(dimensions: 768)
        let vectors = try await local.embed([
            "How do I reset my password?",
            "Steps to reset a forgotten password",
            "Quarterly revenue grew by twelve percent",
            "Resetting passwords: a guide",
        ], task: .retrievalQuery)
        let question = vectors[0]
        #expect(dot(question, vectors[1]) > dot(question, vectors[2]) + 0.2)
        #expect(dot(question, vectors[3]) > dot(question, vectors[2]), "trigrams relate reset/resetting and password/passwords")
        #expect(abs(dot(question, vectors[2])) < 0.2)
        #expect(abs(dot(question, question) - 1) < 1e-5)
    }

    @Test("accents and case do not matter; a document title adds to the vector")
    func foldingAndTitles() async throws {
        let local = try LocalEmbeddings(dimensions: 1536)
        #expect(local.vector(for: "Café CRÈME") == local.vector(for: "cafe creme"))
        let plain = try await local.embed("chunk text", task: .retrievalDocument)
        let titled = try await local.embed("chunk text", task: .retrievalDocument, title: "Pricing")
        let queryWithTitle = try await local.embed("chunk text", task: .retrievalQuery, title: "Pricing")
        #expect(plain != titled)
        #expect(queryWithTitle == plain, "titles apply to RETRIEVAL_DOCUMENT only")
    }

    @Test("bad sizes and title counts are refused")
    func validation() async throws {
        #expect(throws: EmbeddingError.self) { try LocalEmbeddings(dimensions: 0) }
        let error = await #expect(throws: EmbeddingError.self) {
            try await LocalEmbeddings(dimensions: 768).embed(["a", "b"], task: .retrievalDocument, titles: [nil])
        }
        #expect(error?.kind == .invalidInput)
    }
}
