import Foundation

/// How the fake's `generateContent` answers (see ``FakeGeminiServer/setGeneration(_:)``).
public enum FakeGeminiGeneration: Sendable, Equatable {
    /// A finished answer (`finishReason: STOP`): the text given, or, for nil, a deterministic
    /// answer that quotes the start of source `[1]` of the prompt and cites it.
    case answer(String?)
    /// A candidate cut off with `finishReason` (such as `MAX_TOKENS`, with no text and
    /// `thoughtsTokenCount` equal to the whole `maxOutputTokens`, as thinking models do).
    case cutOff(finishReason: String)
    /// HTTP 200 with no candidates and `promptFeedback.blockReason` (a blocked prompt).
    case blocked(reason: String)
    /// A `STOP` candidate whose parts hold no text.
    case emptyText
}

/// `generateContent` and `models.get`, from the documented contract (v1beta):
///
/// - Request: `contents` is a non-empty array of `{role: user|model, parts: [{text}]}`;
///   `systemInstruction`, when present, has text parts only; `generationConfig.maxOutputTokens`,
///   when present, is 1...65536.
/// - Response: `candidates[0].content.parts[].text`, `finishReason`, `usageMetadata`
///   (`promptTokenCount`, `candidatesTokenCount`, `thoughtsTokenCount`, `totalTokenCount`) and
///   `modelVersion`; token counts are characters / 4.
/// - `GET /v1beta/models/{model}`: name, token limits and `supportedGenerationMethods`
///   (embedding models list `embedContent`, others `generateContent`).
extension FakeGeminiBehaviour {
    static let outputTokenLimit = 65_536

    /// `POST /v1beta/models/{model}:generateContent`.
    func generateContent(model: String, body: [String: Any]) throws(FakeGeminiFailure) -> String {
        guard let contents = body["contents"] as? [[String: Any]], !contents.isEmpty else {
            throw FakeGeminiFailure(400, "* GenerateContentRequest.contents: contents is not specified\n")
        }
        var prompt = ""
        for (index, content) in contents.enumerated() {
            let role = content["role"] as? String ?? "user"
            guard ["user", "model"].contains(role) else {
                throw FakeGeminiFailure(400, "Please use a valid role: user, model.")
            }
            prompt += try texts(of: content, field: "GenerateContentRequest.contents[\(index)]")
        }
        if let system = body["systemInstruction"] as? [String: Any] {
            prompt += try texts(of: system, field: "GenerateContentRequest.system_instruction")
        }
        let configuration = body["generationConfig"] as? [String: Any] ?? [:]
        let maxOutputTokens = configuration["maxOutputTokens"] as? Int ?? 8192
        guard (1...Self.outputTokenLimit).contains(maxOutputTokens) else {
            throw FakeGeminiFailure(400, "* GenerateContentRequest.generation_config.max_output_tokens: must be between 1 and \(Self.outputTokenLimit)\n")
        }

        let promptTokens = prompt.count / 4
        var response: [String: Any] = ["modelVersion": model, "responseId": "fake-\(prompt.count)"]
        switch state.locked({ $0.generation }) {
        case .answer(let text):
            let answer = text ?? Self.defaultAnswer(prompt: prompt)
            response["candidates"] = [Self.candidate(parts: [["text": answer]], finishReason: "STOP")]
            response["usageMetadata"] = Self.usage(prompt: promptTokens, answer: answer.count / 4, thoughts: 0)
        case .cutOff(let finishReason):
            response["candidates"] = [Self.candidate(parts: [], finishReason: finishReason)]
            response["usageMetadata"] = Self.usage(prompt: promptTokens, answer: 0, thoughts: maxOutputTokens)
        case .blocked(let reason):
            response["promptFeedback"] = ["blockReason": reason]
            response["usageMetadata"] = Self.usage(prompt: promptTokens, answer: 0, thoughts: 0)
        case .emptyText:
            response["candidates"] = [Self.candidate(parts: [["text": ""]], finishReason: "STOP")]
            response["usageMetadata"] = Self.usage(prompt: promptTokens, answer: 0, thoughts: 0)
        }
        let data = (try? JSONSerialization.data(withJSONObject: response, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// `GET /v1beta/models/{model}` (the model is known: unknown ones got 404 already).
    func getModel(model: String, body: [String: Any]) throws(FakeGeminiFailure) -> String {
        let embedding = model.contains("embedding")
        let description: [String: Any] = [
            "name": "models/\(model)",
            "version": "001",
            "displayName": model,
            "inputTokenLimit": embedding ? 2048 : 1_048_576,
            "outputTokenLimit": embedding ? 1 : Self.outputTokenLimit,
            "supportedGenerationMethods": embedding ? ["embedContent", "batchEmbedContents"] : ["generateContent", "countTokens"],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: description, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// The text of a `Content`'s parts, which must all be text.
    private func texts(of content: [String: Any], field: String) throws(FakeGeminiFailure) -> String {
        guard let parts = content["parts"] as? [[String: Any]], !parts.isEmpty else {
            throw FakeGeminiFailure(400, "* \(field).parts: contents.parts must not be empty\n")
        }
        let texts = parts.compactMap { $0["text"] as? String }
        guard texts.count == parts.count else {
            throw FakeGeminiFailure(400, "* \(field).parts: this fake accepts text parts only\n")
        }
        return texts.joined(separator: "\n")
    }

    /// Quotes the first line of source `[1]` (the line after `[1] <title>`) and cites it.
    static func defaultAnswer(prompt: String) -> String {
        let lines = prompt.components(separatedBy: "\n")
        guard let header = lines.firstIndex(where: { $0.hasPrefix("[1] ") }), header + 1 < lines.count else {
            return "The sources do not say."
        }
        return "According to the documents, \(lines[header + 1].prefix(120)) [1]"
    }

    private static func candidate(parts: [[String: Any]], finishReason: String) -> [String: Any] {
        ["content": ["role": "model", "parts": parts], "finishReason": finishReason, "index": 0]
    }

    private static func usage(prompt: Int, answer: Int, thoughts: Int) -> [String: Any] {
        ["promptTokenCount": prompt, "candidatesTokenCount": answer, "thoughtsTokenCount": thoughts,
         "totalTokenCount": prompt + answer + thoughts]
    }
}
