import ChatKit
import MetricsKit
import VectorStoreKit

/// Counts every answer the generator writes in `chat_answers_computed_total`, so that
/// single-flight across processes can be checked from outside: N identical questions add 1.
struct CountingAnswerGenerator: AnswerGenerator {
    let base: any AnswerGenerator
    let metrics: RecallMetrics

    var model: String { base.model }

    func generate(question: String, context: [SearchHit], model: String?) async throws -> GeneratedAnswer {
        metrics.http.recordAnswerComputed()
        return try await base.generate(question: question, context: context, model: model)
    }

    func checkModel() async throws {
        try await base.checkModel()
    }
}
