import ChatKit
import Testing
import VectorStoreKit

@Suite("ExtractiveAnswerer")
struct ExtractiveAnswererTests {
    static func hit(_ id: Int64, _ content: String) -> SearchHit {
        SearchHit(chunkID: id, documentID: id, title: "Doc \(id)", source: "\(id).txt", ordinal: 0, content: content, score: 1)
    }

    let context = [
        hit(1, "The office opens at eight. Employees get 25 vacation days per year. Lunch is at noon."),
        hit(2, "Unused vacation days expire in March.\nParking permits come from the front desk."),
    ]

    @Test("quotes the sentences sharing words with the question, in source order, with citations")
    func quotesBestSentences() async throws {
        let answer = try await ExtractiveAnswerer().generate(question: "How many vacation days do employees get?", context: context, model: nil)
        #expect(answer.text == "Employees get 25 vacation days per year. [1] Unused vacation days expire in March. [2]")
        #expect(answer.model == "extractive")
        #expect(answer.isComplete)
    }

    @Test("caps the number of sentences, keeping the best")
    func capsSentences() {
        let text = ExtractiveAnswerer(maximumSentences: 1).answer(question: "vacation days employees", context: context)
        #expect(text == "Employees get 25 vacation days per year. [1]")
    }

    @Test("says so when no sentence shares a word with the question")
    func noMatch() {
        #expect(ExtractiveAnswerer().answer(question: "What is the wifi password?", context: context) == ExtractiveAnswerer.noMatch)
    }
}
