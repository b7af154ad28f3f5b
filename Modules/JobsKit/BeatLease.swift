/// Leadership among the beats of one queue: at most one holds the lease at a time.
protocol BeatLease: Sendable {
    /// This beat's token, stored in the lease while it leads.
    var token: String { get }
    /// Takes the lease if nobody holds it.
    func acquire(ttl: Duration) async throws -> Bool
    /// Extends the lease if this beat still holds it; `false` when it was lost.
    func renew(ttl: Duration) async throws -> Bool
    /// Gives the lease up if this beat holds it, so another beat can take over at once.
    func release() async throws
    /// The token of whoever leads now.
    func holder() async throws -> String?
}
