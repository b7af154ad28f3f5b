import Foundation
import Hummingbird
import NIOCore

/// An error the API answers with: a status, a stable machine-readable code, and a message that
/// says what was wrong and how to fix it. Never carries a secret or a stack trace.
///
/// Serialised as `{"error": {"code": "...", "message": "..."}}`.
public struct APIError: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, code: String, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        let body = ErrorBody(error: .init(code: code, message: message))
        let data = (try? JSONEncoder().encode(body)) ?? Data(#"{"error":{"code":"internal","message":"error"}}"#.utf8)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, code: "invalid_request", message) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, code: "not_found", message) }
    static func unavailable(_ message: String) -> APIError { APIError(.serviceUnavailable, code: "unavailable", message) }
    static func tooLarge(limit: Int, setting: String) -> APIError {
        APIError(.contentTooLarge, code: "body_too_large",
                 "the request body is larger than \(limit) bytes; send a smaller one (the limit is \(setting))")
    }
}

/// The JSON shape of every error.
struct ErrorBody: Codable, Sendable {
    struct Detail: Codable, Sendable {
        let code: String
        let message: String
    }

    let error: Detail
}
