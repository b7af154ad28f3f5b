import Foundation

/// What the server answered.
public struct HTTPResponse: Sendable {
    /// The status code, such as 200.
    public let status: Int
    /// Header fields of the final response, in the order received.
    public let headers: [HTTPHeader]
    /// The body, decompressed when the server used a content encoding.
    public let body: Data
    /// The URL that produced this response (differs from the request's after redirects).
    public let url: String
    /// The IP address the response came from, as libcurl reports it (`CURLINFO_PRIMARY_IP`).
    public let remoteAddress: String?

    /// A response; public so that tests and fakes can build one.
    public init(status: Int, headers: [HTTPHeader] = [], body: Data = Data(), url: String = "", remoteAddress: String? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url
        self.remoteAddress = remoteAddress
    }

    /// True for 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The body as UTF-8 text (invalid bytes replaced).
    public var text: String { String(decoding: body, as: UTF8.self) }
}
