import CacheKit
import ChatKit
import Foundation
import JobsKit

/// The `warm_hot_questions` job handler: the beat's re-warm of the most asked questions.
///
/// Each question is asked again through the chat engine with the normal cache policy, so a
/// question whose answer is still cached costs one cache read, and one whose answer expired or
/// belongs to an older corpus generation is answered again, once across all workers
/// (single-flight), before people ask it.
public enum WarmTasks {
    /// What one run did, stored as the job's result.
    public struct Report: Codable, Sendable, Equatable {
        /// Questions asked again.
        public var asked: Int
        /// Of those, answers that were not cached and were computed now.
        public var warmed: Int
        /// Questions whose answer failed (left for people to ask).
        public var failed: Int

        public init(asked: Int, warmed: Int, failed: Int) {
            self.asked = asked
            self.warmed = warmed
            self.failed = failed
        }
    }

    struct Payload: Decodable, Sendable {
        var limit: Int?
    }

    /// How many questions a run asks unless its payload says otherwise.
    public static let defaultLimit = 50

    /// Registers `warm_hot_questions` into `registry`, asking through `engine` the questions
    /// that `hot` counted.
    public static func register(into registry: inout JobHandlerRegistry, engine: ChatEngine, hot: HotQuestions) {
        registry.register(TaskName.warmHotQuestions, payload: Payload.self, timeout: .seconds(600)) { payload, context in
            let entries = try await hot.top(min(max(payload.limit ?? defaultLimit, 1), 1000))
            var report = Report(asked: 0, warmed: 0, failed: 0)
            for (index, entry) in entries.enumerated() {
                try Task.checkCancellation()
                do {
                    let reply = try await engine.answer(ChatQuestion(
                        question: entry.question, sessionID: entry.session.isEmpty ? nil : entry.session,
                        model: entry.model.isEmpty ? nil : entry.model, tenant: entry.tenant))
                    if !reply.cached { report.warmed += 1 }
                } catch {
                    report.failed += 1
                    context.logger.warning("re-warming a question failed", metadata: ["error": "\(error)"])
                }
                report.asked += 1
                await context.reportProgress(Double(index + 1) / Double(entries.count),
                                             message: "asked \(index + 1) of \(entries.count)")
            }
            return report
        }
    }
}
