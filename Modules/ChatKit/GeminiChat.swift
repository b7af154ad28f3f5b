import CurlKit
import EmbeddingsKit
import Foundation
import Logging
import VectorStoreKit

/// Answers from Google's Gemini API: `POST /v1beta/models/{model}:generateContent`, over CurlKit.
///
/// - The key travels only in the `x-goog-api-key` header; retries of 429, 500, 503, 504 and
///   transport failures, honouring `RetryInfo.retryDelay`, are ``EmbeddingsKit/GeminiTransport``'s,
///   the same as for embeddings.
/// - A 200 is not yet an answer: no candidates (a blocked prompt), no text, or a `finishReason`
///   other than `STOP` (`MAX_TOKENS`, `SAFETY`, `RECITATION`…) is a ``ChatError/Kind/generationFailed``
///   error, so a partial answer is never served as whole or cached.
/// - Thinking: 2.5-family models think by default, and thinking tokens count against
///   `maxOutputTokens`; a cap sized for the answer alone can end in `MAX_TOKENS` with no text at
///   all. So ``Configuration/maxOutputTokens`` (`CHAT_MAX_OUTPUT_TOKENS`, 8192 by default) is
///   sized for thinking plus answer. No `thinkingConfig` is sent: its shape depends on the model
///   family (`thinkingBudget` on 2.5, `thinkingLevel` on 3.x, and the wrong one is a 400), and
///   `CHAT_MODEL` may name either. Unused output tokens cost nothing.
/// - ``checkModel()`` asks `GET /v1beta/models/{model}` at start-up, because Google retires models
///   (a retired model can answer with confusing 429s and 503s instead of a plain 404).
public final class GeminiChat: AnswerGenerator {
    /// Where, who, which model, and the generation budget.
    ///
    /// Printed, the API key shows as `***`.
    public struct Configuration: Sendable, CustomStringConvertible {
        /// The API key, sent only in the `x-goog-api-key` header.
        public var apiKey: String
        /// The default model (`CHAT_MODEL`), with or without `models/`.
        public var model: String
        /// The API origin (`GEMINI_BASE_URL`).
        public var baseURL: String
        /// `maxOutputTokens`: thinking plus answer.
        public var maxOutputTokens: Int
        /// `temperature`: low, because answers should follow the sources.
        public var temperature: Double
        /// Retries of 429, 5xx and transport failures.
        public var retry: RetryPolicy
        /// The time allowed for one HTTP request; answers with thinking take seconds.
        public var requestTimeout: Duration
        /// Requests in flight at once.
        public var maximumConcurrentRequests: Int

        /// A configuration with Google's endpoint.
        public init(
            apiKey: String,
            model: String = "gemini-3.5-flash",
            baseURL: String = "https://generativelanguage.googleapis.com",
            maxOutputTokens: Int = 8192,
            temperature: Double = 0.2,
            retry: RetryPolicy = RetryPolicy(),
            requestTimeout: Duration = .seconds(120),
            maximumConcurrentRequests: Int = 16
        ) {
            self.apiKey = apiKey
            self.model = model
            self.baseURL = baseURL
            self.maxOutputTokens = maxOutputTokens
            self.temperature = temperature
            self.retry = retry
            self.requestTimeout = requestTimeout
            self.maximumConcurrentRequests = maximumConcurrentRequests
        }

        public var description: String {
            "GeminiChat.Configuration(model: \(model), baseURL: \(baseURL), apiKey: ***, maxOutputTokens: \(maxOutputTokens))"
        }
    }

    /// What `GET /v1beta/models/{model}` said about a model.
    public struct ModelInfo: Sendable, Equatable {
        /// The model ID, without `models/`.
        public var model: String
        public var inputTokenLimit: Int?
        public var outputTokenLimit: Int?
        /// Such as `generateContent`; empty when the API did not say.
        public var supportedGenerationMethods: [String]
    }

    /// The default model ID, without `models/`.
    public let model: String
    /// The configuration, API key included; do not print it.
    public let configuration: Configuration

    private let transport: GeminiTransport

    /// A client.
    ///
    /// - Throws: ``ChatError/Kind/configuration`` for an empty key, a malformed model name or
    ///   base URL.
    public init(configuration: Configuration, httpClient: HTTPClient? = nil, logger: Logger = Logger(label: "recall.chat.gemini")) throws(ChatError) {
        if configuration.apiKey.isEmpty {
            throw ChatError(.configuration, "no Gemini API key: set GEMINI_API_KEY, or CHAT_PROVIDER=extractive for offline answers")
        }
        if configuration.apiKey.contains(where: { $0.isWhitespace || $0.isNewline }) {
            throw ChatError(.configuration, "GEMINI_API_KEY contains white space or a line break; copy the key again")
        }
        guard let model = Self.modelID(configuration.model) else {
            throw ChatError(.configuration, "'\(configuration.model)' is not a model name (CHAT_MODEL): use something like gemini-2.5-flash")
        }
        guard configuration.baseURL.hasPrefix("https://") || configuration.baseURL.hasPrefix("http://") else {
            throw ChatError(.configuration, "GEMINI_BASE_URL must be an http(s) URL, such as https://generativelanguage.googleapis.com")
        }
        self.model = model
        self.configuration = configuration
        transport = GeminiTransport(
            apiKey: configuration.apiKey,
            baseURL: configuration.baseURL,
            retry: configuration.retry,
            requestTimeout: configuration.requestTimeout,
            maximumConcurrentRequests: configuration.maximumConcurrentRequests,
            httpClient: httpClient,
            advice: GeminiTransport.Advice(
                modelVariable: "CHAT_MODEL",
                modelNotFound: "Google does not serve this model (a wrong name, or a model it has retired); "
                    + "set CHAT_MODEL to a current one listed by GET /v1beta/models",
                badRequest: "check CHAT_MODEL and CHAT_MAX_OUTPUT_TOKENS against the model's limits"
            ),
            logger: logger
        )
    }

    /// The model ID without `models/`, or nil when `name` is not a model name (it goes into a URL
    /// path, so only letters, digits, `-`, `.` and `_` are accepted).
    public static func modelID(_ name: String) -> String? {
        let id = name.hasPrefix("models/") ? String(name.dropFirst("models/".count)) : name
        let allowed = id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_") }
        return !id.isEmpty && id.count <= 100 && allowed ? id : nil
    }

    public func generate(question: String, context: [SearchHit], model: String?) async throws -> GeneratedAnswer {
        let requested = model ?? self.model
        guard let modelID = Self.modelID(requested) else {
            throw ChatError(.invalidModel, "'\(requested)' is not a model name: use something like gemini-2.5-flash")
        }
        let prompt = GroundedPrompt(question: question, context: context)
        let request = GeminiChatWire.Request(
            systemInstruction: .init(role: nil, parts: [.init(text: prompt.system)]),
            contents: [.init(role: "user", parts: [.init(text: prompt.user)])],
            generationConfig: .init(
                temperature: configuration.temperature,
                maxOutputTokens: configuration.maxOutputTokens,
                candidateCount: 1,
                responseMimeType: "text/plain"
            )
        )
        let body: Data
        do {
            body = try await transport.post(model: modelID, method: "generateContent", body: try JSONEncoder().encode(request))
        } catch let error as EmbeddingError {
            throw ChatError.generation(error)
        }
        return try answer(from: body, model: modelID)
    }

    /// The answer in a 200 body, or the reason there is none.
    private func answer(from body: Data, model: String) throws(ChatError) -> GeneratedAnswer {
        let response: GeminiChatWire.Response
        do {
            response = try JSONDecoder().decode(GeminiChatWire.Response.self, from: body)
        } catch {
            throw ChatError(.generationFailed, "Gemini's generateContent answer is not the documented JSON ({\"candidates\":[{\"content\":{\"parts\":[{\"text\":…}]}}]})")
        }
        guard let candidate = response.candidates?.first else {
            let reason = response.promptFeedback?.blockReason.map { "the prompt was blocked (blockReason \($0))" } ?? "no candidates came back"
            throw ChatError(.generationFailed, "Gemini \(model) gave no answer: \(reason)")
        }
        let usage = response.usageMetadata.map {
            TokenUsage(promptTokens: $0.promptTokenCount ?? 0, answerTokens: $0.candidatesTokenCount ?? 0, thoughtsTokens: $0.thoughtsTokenCount ?? 0)
        }
        let text = (candidate.content?.parts ?? []).filter { $0.thought != true }.compactMap(\.text).joined()
        let finishReason = candidate.finishReason ?? "FINISH_REASON_UNSPECIFIED"
        guard finishReason == GeneratedAnswer.complete else {
            var message = "Gemini \(model) stopped before finishing the answer (finishReason \(finishReason))"
            if finishReason == "MAX_TOKENS" {
                let thoughts = usage.map { ", \($0.thoughtsTokens) of them thinking" } ?? ""
                message += ": it used all \(configuration.maxOutputTokens) output tokens\(thoughts); raise CHAT_MAX_OUTPUT_TOKENS"
            }
            throw ChatError(.generationFailed, message)
        }
        guard !text.allSatisfy(\.isWhitespace) else {
            throw ChatError(.generationFailed, "Gemini \(model) finished with an empty answer")
        }
        return GeneratedAnswer(text: text.trimmingCharacters(in: .whitespacesAndNewlines), model: model,
                               finishReason: finishReason, modelVersion: response.modelVersion, usage: usage)
    }

    /// Fails with a clear error when Google does not serve the configured model for
    /// `generateContent`.
    public func checkModel() async throws {
        _ = try await modelInfo()
    }

    /// `GET /v1beta/models/{model}` for the configured model.
    ///
    /// - Throws: ``ChatError/Kind/modelUnavailable`` naming `CHAT_MODEL` on a 404 or when the
    ///   model does not support `generateContent`; other kinds for other failures.
    public func modelInfo() async throws -> ModelInfo {
        let body: Data
        do {
            body = try await transport.getModel(model)
        } catch let error as EmbeddingError {
            throw ChatError.generation(error)
        }
        guard let decoded = try? JSONDecoder().decode(GeminiChatWire.Model.self, from: body) else {
            throw ChatError(.generationFailed, "Gemini's answer about models/\(model) is not the documented JSON")
        }
        let info = ModelInfo(model: model, inputTokenLimit: decoded.inputTokenLimit, outputTokenLimit: decoded.outputTokenLimit,
                             supportedGenerationMethods: decoded.supportedGenerationMethods ?? [])
        if !info.supportedGenerationMethods.isEmpty, !info.supportedGenerationMethods.contains("generateContent") {
            throw ChatError(.modelUnavailable, "CHAT_MODEL '\(model)' cannot write answers (it supports \(info.supportedGenerationMethods.joined(separator: ", ")), not generateContent); set CHAT_MODEL to a chat model such as gemini-2.5-flash")
        }
        return info
    }
}
