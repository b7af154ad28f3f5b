import ChatKit
import Foundation
import NIOCore
import Synchronization

/// The JSON bodies of recently served cached replies, by chat key: a cached answer is served
/// again and again, and a reply equal to the one remembered has the same bytes, so it is not
/// encoded again.
///
/// The reply is still read from the cache and compared in full on every request; only the
/// encoding is saved.
final class ReplyEncodings: Sendable {
    private struct Entry {
        let reply: ChatReply
        let body: ByteBuffer
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let capacity: Int

    /// - Parameter capacity: replies remembered; past it the table starts over, so its memory
    ///   stays bounded.
    init(capacity: Int = 1024) {
        self.capacity = max(1, capacity)
    }

    /// The JSON of `reply`, as ``JSONBody`` encodes it.
    func body(of reply: ChatReply) throws -> ByteBuffer {
        let remembered = entries.withLock { entries in
            entries[reply.cacheKey].flatMap { $0.reply == reply ? $0.body : nil }
        }
        if let remembered { return remembered }
        let body = ByteBuffer(bytes: try JSONBody.encode(reply))
        entries.withLock { entries in
            if entries.count >= capacity, entries[reply.cacheKey] == nil { entries.removeAll(keepingCapacity: true) }
            entries[reply.cacheKey] = Entry(reply: reply, body: body)
        }
        return body
    }
}
