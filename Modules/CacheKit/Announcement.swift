/// One published change, named so that its receivers can confirm it: every near cache that
/// received it increments `<prefix>:ack:<origin>/<sequence>` once it has dropped its copies, and
/// the sender waits until the count reaches the number of receivers `PUBLISH` reported.
struct Announcement: Sendable, Hashable {
    /// The sending ``RedisCache``'s random id.
    let origin: String
    /// Counts the sender's announcements.
    let sequence: UInt64

    init(origin: String, sequence: UInt64) {
        self.origin = origin
        self.sequence = sequence
    }

    /// `<origin>/<sequence>`, or `nil` for a token of another form.
    init?(token: Substring) {
        guard let slash = token.lastIndex(of: "/"), let sequence = UInt64(token[token.index(after: slash)...]),
              slash > token.startIndex else { return nil }
        self.init(origin: String(token[..<slash]), sequence: sequence)
    }

    var token: String { "\(origin)/\(sequence)" }
}
