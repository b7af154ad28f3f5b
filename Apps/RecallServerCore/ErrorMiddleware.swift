import Foundation
import Hummingbird
import NIOCore

/// Turns every error into the API's JSON error with the right status: the routes' own
/// ``APIError``s, Hummingbird's (404, 405 for a path known under other methods, 413 for a body
/// over the limit), and anything unexpected as a 500 whose message names only the request id —
/// the error itself goes to the log, never to the caller.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = RecallRequestContext
    let routes: RouteRegistry

    @concurrent func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return try apiError(for: error, request: request, context: context).response(from: request, context: context)
        }
    }

    private func apiError(for error: any Error, request: Request, context: Context) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case is NIOTooManyBytesError:
            return .tooLarge(limit: context.bodyLimit, setting: context.bodyLimitSetting)
        case let error as HTTPError where error.status == .notFound && context.endpointPath == "NotFound":
            let path = request.uri.path
            let methods = routes.table.methods(matching: path)
            if !methods.isEmpty {
                let allowed = methods.joined(separator: ", ")
                return APIError(.methodNotAllowed, code: "method_not_allowed",
                                "\(path) does not accept \(request.method.rawValue); use \(allowed)",
                                headers: [.allow: allowed])
            }
            return .notFound("no route for \(request.method.rawValue) \(path); the routes are described in docs/openapi.yaml")
        case let error as HTTPError:
            return APIError(error.status, code: Self.code(for: error.status), error.body ?? error.status.reasonPhrase)
        case let error as any HTTPResponseError:
            return APIError(error.status, code: Self.code(for: error.status), error.status.reasonPhrase)
        default:
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: type(of: error))): \(error)"])
            return APIError(.internalServerError, code: "internal",
                            "the server failed to answer; report request id \(context.requestID) to its operator")
        }
    }

    static func code(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "invalid_request"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 413: "body_too_large"
        case 415: "unsupported_media_type"
        case 429: "rate_limited"
        case 503: "unavailable"
        default: status.code < 500 ? "invalid_request" : "internal"
        }
    }
}
