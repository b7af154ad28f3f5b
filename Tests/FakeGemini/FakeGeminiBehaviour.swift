import Crypto
import Foundation
import Hummingbird

/// What the fake answers, from the documented contract of the Gemini embeddings API (v1beta).
///
/// - Authentication: the key from `x-goog-api-key` (or the older `?key=` query form, which the
///   real API also accepts). No key: 403 PERMISSION_DENIED. A wrong key: 400 INVALID_ARGUMENT
///   with an `ErrorInfo` whose reason is `API_KEY_INVALID` (Google answers 400, not 401, here).
/// - Unknown model: 404 NOT_FOUND. A batch entry whose `model` differs from the URL's: 400.
/// - More than 100 requests in a batch: 400 INVALID_ARGUMENT with Google's message.
/// - `taskType` must be one of the documented values; `title` is accepted only with
///   `RETRIEVAL_DOCUMENT` (stricter than Google may be, on purpose: a client sending it elsewhere
///   has a bug); `outputDimensionality` (or `output_dimensionality`) must be 1...3072.
/// - Vectors are deterministic: a pseudo-random unit vector of 3072 floats seeded by the SHA-256
///   of the text, truncated to `outputDimensionality` and *not* renormalised, like Google's
///   Matryoshka truncation (only 3072-float vectors come back unit length).
struct FakeGeminiBehaviour: Sendable {
    /// The handler of one method: the model ID and the parsed body in, the JSON answer out.
    typealias Handler = @Sendable (_ model: String, _ body: [String: Any]) throws(FakeGeminiFailure) -> String

    static let fullDimensions = 3072
    static let maximumBatch = 100
    static let taskTypes: Set<String> = [
        "TASK_TYPE_UNSPECIFIED", "RETRIEVAL_QUERY", "RETRIEVAL_DOCUMENT", "SEMANTIC_SIMILARITY", "CLASSIFICATION",
        "CLUSTERING", "QUESTION_ANSWERING", "FACT_VERIFICATION", "CODE_RETRIEVAL_QUERY",
    ]

    let state: FakeGeminiState

    /// The common part of every method: log, latency, key, scripted faults, model, JSON.
    func respond(to request: Request, context: BasicRequestContext, expectsBody: Bool = true, handler: Handler) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 64 << 20)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
        let query = request.uri.query ?? ""
        let logged = FakeGeminiRequest(
            method: request.method.rawValue, path: request.uri.path, query: query, headers: headers,
            body: Data(body.readableBytesView)
        )
        let (latency, apiKey, models) = state.locked { state in
            state.log.append(logged)
            state.inFlight += 1
            state.peakInFlight = max(state.peakInFlight, state.inFlight)
            return (state.latency, state.apiKey, state.models)
        }
        defer { state.locked { $0.inFlight -= 1 } }
        // The latency is the time to an answer, as a real API's is: the answer is made inside it,
        // so the fake's own work (about 9 ms for 100 vectors) does not add to what it simulates.
        let answerTime = ContinuousClock.now + latency
        let response = try answer(request, headers: headers, body: body, context: context, apiKey: apiKey,
                                  models: models, expectsBody: expectsBody, handler: handler)
        if latency > .zero { try await Task.sleep(until: answerTime, clock: .continuous) }
        return response
    }

    private func answer(
        _ request: Request, headers: [String: String], body: ByteBuffer, context: BasicRequestContext,
        apiKey: String, models: Set<String>, expectsBody: Bool, handler: Handler
    ) throws -> Response {
        let model = context.parameters.get("model") ?? ""
        do {
            let presented = headers["x-goog-api-key"] ?? request.uri.queryParameters.get("key")
            guard let presented else {
                throw FakeGeminiFailure(403, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.")
            }
            guard presented == apiKey else {
                throw FakeGeminiFailure(400, "API key not valid. Please pass a valid API key.", details: [[
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                    "domain": "googleapis.com", "metadata": ["service": "generativelanguage.googleapis.com"],
                ]])
            }
            if let fault = state.locked({ $0.faults.isEmpty ? nil : $0.faults.removeFirst() }) {
                throw FakeGeminiFailure(fault: fault)
            }
            guard models.contains(model) else {
                throw FakeGeminiFailure(404, "models/\(model) is not found for API version v1beta, or is not supported for this method. Call ListModels to see the list of available models and their supported methods.")
            }
            guard expectsBody else { return Self.json(status: .ok, try handler(model, [:])) }
            guard let json = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] else {
                throw FakeGeminiFailure(400, "Invalid JSON payload received.")
            }
            return Self.json(status: .ok, try handler(model, json))
        } catch let failure as FakeGeminiFailure {
            return Self.json(status: .init(code: failure.code), failure.body)
        }
    }

    /// `POST /v1beta/models/{model}:embedContent`.
    func embedContent(model: String, body: [String: Any]) throws(FakeGeminiFailure) -> String {
        let values = try embed(body, model: model, field: "EmbedContentRequest", modelRequired: false)
        var json = EmbeddingJSONWriter(vectors: 1, dimensions: values.count)
        json.append(#"{"embedding":{"values":"#)
        json.append(values)
        json.append("}}")
        return json.text
    }

    /// `POST /v1beta/models/{model}:batchEmbedContents`.
    func batchEmbedContents(model: String, body: [String: Any]) throws(FakeGeminiFailure) -> String {
        guard let requests = body["requests"] as? [[String: Any]], !requests.isEmpty else {
            throw FakeGeminiFailure(400, "* BatchEmbedContentsRequest.requests: contents is not specified\n")
        }
        guard requests.count <= Self.maximumBatch else {
            throw FakeGeminiFailure(400, "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch\n")
        }
        let vectors = try requests.enumerated().map { (index, request) throws(FakeGeminiFailure) in
            try embed(request, model: model, field: "BatchEmbedContentsRequest.requests[\(index)]", modelRequired: true)
        }
        var json = EmbeddingJSONWriter(vectors: vectors.count, dimensions: vectors[0].count)
        json.append(#"{"embeddings":["#)
        for (index, values) in vectors.enumerated() {
            json.append(index == 0 ? #"{"values":"# : #",{"values":"#)
            json.append(values)
            json.append("}")
        }
        json.append("]}")
        return json.text
    }

    /// Validates one `EmbedContentRequest` and returns its vector.
    private func embed(_ request: [String: Any], model: String, field: String, modelRequired: Bool) throws(FakeGeminiFailure) -> [Float] {
        let named = request["model"] as? String
        if modelRequired || named != nil, named != "models/\(model)" {
            throw FakeGeminiFailure(400, "* \(field).model: the model in the request must match the model in the URL (models/\(model))\n")
        }
        guard let content = request["content"] as? [String: Any], let parts = content["parts"] as? [[String: Any]],
              !parts.isEmpty
        else {
            throw FakeGeminiFailure(400, "* \(field).content: contents is not specified\n")
        }
        let texts = parts.compactMap { $0["text"] as? String }
        guard texts.count == parts.count else {
            throw FakeGeminiFailure(400, "* \(field).content.parts: only text parts can be embedded\n")
        }
        let task = (request["taskType"] ?? request["task_type"]) as? String
        if let task, !Self.taskTypes.contains(task) {
            throw FakeGeminiFailure(400, "Invalid value at '\(field).task_type' (type.googleapis.com/google.ai.generativelanguage.v1beta.TaskType), \"\(task)\"")
        }
        if request["title"] != nil, task != "RETRIEVAL_DOCUMENT" {
            throw FakeGeminiFailure(400, "* \(field).title: a title can only be given with task type RETRIEVAL_DOCUMENT\n")
        }
        let asked = (request["outputDimensionality"] ?? request["output_dimensionality"]) as? Int ?? Self.fullDimensions
        guard (1...Self.fullDimensions).contains(asked) else {
            throw FakeGeminiFailure(400, "* \(field).output_dimensionality: must be between 1 and 3072, got \(asked)\n")
        }
        let length = state.locked { $0.vectorLengthOverride } ?? asked
        return Self.vector(for: texts.joined(separator: "\n"), dimensions: length)
    }

    /// The fake's vector for `text`: the first `dimensions` floats of a deterministic 3072-float
    /// unit vector (so shorter ones are not unit length, as with Google's truncation).
    static func vector(for text: String, dimensions: Int) -> [Float] {
        let seed = SHA256.hash(data: Array(text.utf8)).withUnsafeBytes { $0.load(as: UInt64.self) }
        var generator = SplitMix64(state: seed)
        let full = max(fullDimensions, dimensions)
        var values = (0..<full).map { _ in Float(Double(generator.next() >> 11) / Double(1 << 53) * 2 - 1) }
        let norm = values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        values = values.map { Float(Double($0) / norm) }
        return Array(values.prefix(dimensions))
    }

    static func json(status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json; charset=UTF-8"],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }
}

/// A Google-shaped error answer: `{"error": {"code", "message", "status", "details"}}`.
struct FakeGeminiFailure: Error {
    let code: Int
    let body: String

    init(_ code: Int, _ message: String, details: [[String: Any]] = []) {
        self.code = code
        var error: [String: Any] = ["code": code, "message": message, "status": Self.statusName(code)]
        if !details.isEmpty { error["details"] = details }
        let data = (try? JSONSerialization.data(withJSONObject: ["error": error], options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        body = String(decoding: data, as: UTF8.self)
    }

    init(fault: FakeGeminiState.Fault) {
        var details: [[String: Any]] = []
        if let quotaId = fault.quotaId {
            details.append([
                "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                "violations": [["quotaMetric": "generativelanguage.googleapis.com/embed_content_requests", "quotaId": quotaId]],
            ])
        }
        if let retryDelay = fault.retryDelay {
            details.append(["@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retryDelay])
        }
        let message = switch fault.status {
        case 429: "Resource has been exhausted (e.g. check quota)."
        case 500: "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"
        case 503: "The model is overloaded. Please try again later."
        case 504: "Deadline exceeded."
        default: "Scripted failure."
        }
        self.init(fault.status, message, details: details)
    }

    static func statusName(_ code: Int) -> String {
        switch code {
        case 400: "INVALID_ARGUMENT"
        case 401: "UNAUTHENTICATED"
        case 403: "PERMISSION_DENIED"
        case 404: "NOT_FOUND"
        case 408, 504: "DEADLINE_EXCEEDED"
        case 429: "RESOURCE_EXHAUSTED"
        case 503: "UNAVAILABLE"
        default: "INTERNAL"
        }
    }
}

/// A tiny, fast, deterministic generator (SplitMix64): same seed, same numbers, on any machine.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var value = state
        value = (value ^ (value >> 30)) &* 0xbf58_476d_1ce4_e5b9
        value = (value ^ (value >> 27)) &* 0x94d0_49bb_1331_11eb
        return value ^ (value >> 31)
    }
}
