import HTTPTypes
import Hummingbird

/// Gives every request an id: the caller's `X-Request-Id` when it is a plain token of at most
/// 128 characters, else a new UUID. The id is in every log line of the request (`request_id`)
/// and in the response's `X-Request-Id`, errors included.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = RecallRequestContext
    static let header = HTTPField.Name("X-Request-Id")!

    @concurrent func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let id = request.headers[Self.header].flatMap(Self.usable) ?? Self.newID()
        context.requestID = id
        context.logger[metadataKey: "request_id"] = "\(id)"
        var response = try await next(request, context)
        response.headers[Self.header] = id
        return response
    }

    /// A random (version 4) UUID in lower case, as `UUID().uuidString.lowercased()` writes it,
    /// from the system's generator: Foundation's `UUID()` opens `/dev/urandom` for every id.
    static func newID() -> String {
        var random = SystemRandomNumberGenerator()
        let high = (random.next() as UInt64) & ~0xF000 | 0x4000
        let low = (random.next() as UInt64) & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for index in 0..<32 {
            if index == 8 || index == 12 || index == 16 || index == 20 { text.append(UInt8(ascii: "-")) }
            let word = index < 16 ? high : low
            text.append(hexDigits[Int(word >> (60 - 4 * UInt64(index % 16)) & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Ids go into logs and headers: letters, digits and `-_.:` only, so a caller cannot inject
    /// log lines or header syntax.
    static func usable(_ value: String) -> String? {
        guard !value.isEmpty, value.utf8.count <= 128 else { return nil }
        let allowed = value.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                UInt8(ascii: "."), UInt8(ascii: ":"):
                true
            default:
                false
            }
        }
        return allowed ? value : nil
    }
}
