/// A request the job queue refused, or a broker reply it could not understand.
///
/// Transport failures (Redis down, a timeout) are thrown as they come, as RedisKit's
/// `RedisError`; this type is for what JobsKit itself decides.
public struct JobQueueError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of refusal this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidArgument = "invalid_argument"
            case notPermitted = "not_permitted"
            case unexpectedReply = "unexpected_reply"
        }

        private let base: Base

        /// An argument was empty, too long or out of range.
        public static let invalidArgument = Code(base: .invalidArgument)
        /// The operation is not allowed on jobs in this state (purging running jobs, say).
        public static let notPermitted = Code(base: .notPermitted)
        /// The broker answered with something this version does not understand.
        public static let unexpectedReply = Code(base: .unexpectedReply)

        public var description: String { base.rawValue }
    }

    /// What kind of refusal this is.
    public let code: Code
    /// What was wrong and how to do it instead; never contains payloads or credentials.
    public let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
