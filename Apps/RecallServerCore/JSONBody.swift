import Foundation
import Hummingbird
import NIOCore

/// Reading JSON request bodies and writing JSON responses, with errors that say which field was
/// wrong.
enum JSONBody {
    /// The request body decoded as `T`.
    ///
    /// - Throws: 415 when the body is declared as something other than JSON, 413 over the route's
    ///   limit, 400 for an empty body, malformed JSON or a missing or mistyped field.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: RecallRequestContext) async throws -> T {
        try decode(type, from: try await body(of: request, context: context))
    }

    /// The request body, checked to be declared as JSON and not empty.
    ///
    /// - Throws: 415 when the body is declared as something other than JSON, 413 over the route's
    ///   limit, 400 for an empty body.
    static func body(of request: Request, context: RecallRequestContext) async throws -> ByteBuffer {
        if let contentType = request.headers[.contentType], !isJSON(contentType) {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type",
                           "send the body as JSON with Content-Type: application/json (got \(contentType.prefix(100)))")
        }
        let buffer = try await request.body.collect(upTo: context.bodyLimit)
        guard buffer.readableBytes > 0 else {
            throw APIError.badRequest("the request needs a JSON body; see docs/openapi.yaml for its fields")
        }
        return buffer
    }

    /// `buffer` decoded as `T`.
    ///
    /// - Throws: 400 for malformed JSON or a missing or mistyped field.
    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: buffer)
        } catch let error as DecodingError {
            throw APIError.badRequest(describe(error))
        }
    }

    static func isJSON(_ contentType: String) -> Bool {
        // What clients send nearly always, compared without Foundation.
        if contentType == "application/json" || contentType == "application/json; charset=utf-8" { return true }
        let essence = contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        return essence == "application/json" || essence.hasSuffix("+json")
    }

    /// A decoding error in the caller's terms: the field's path and what it should be.
    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context.codingPath)
            return "the field `\(parent.isEmpty ? key.stringValue : parent + "." + key.stringValue)` is missing"
        case .typeMismatch(let expected, let context), .valueNotFound(let expected, let context):
            return "the field `\(path(context.codingPath))` must be \(name(of: expected))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "the body is not valid JSON"
                : "the field `\(path(context.codingPath))` is not valid: \(context.debugDescription)"
        @unknown default:
            return "the body does not have the expected fields"
        }
    }

    private static func name(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is [String].Type, is [Any].Type: "an array"
        default: "an object of the documented shape"
        }
    }

    /// `value` as a JSON response.
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        raw(try encode(value), status: status, headers: headers)
    }

    /// `value` as the API writes JSON: keys sorted.
    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(value)
    }

    /// Already-encoded JSON as a response.
    static func raw(_ data: Data, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        raw(ByteBuffer(bytes: data), status: status, headers: headers)
    }

    /// Already-encoded JSON as a response.
    static func raw(_ buffer: ByteBuffer, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: buffer))
    }
}
