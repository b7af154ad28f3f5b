/// How a ``Beat`` holds and hands over leadership.
public struct BeatConfiguration: Sendable {
    /// The leadership lease (`BEAT_LEASE_SECONDS`). The leader renews it every third of this; if
    /// the leader dies, another beat takes over at most about this long (plus a third) later.
    public var lease: Duration
    /// This beat's name, stored in the lease and in the payload of what it dispatches.
    public var name: String
    /// At most this many missed ticks per entry are dispatched after a gap (a takeover, every
    /// beat down for a while); older ones are skipped with a warning rather than flooding the
    /// queue with stale runs.
    public var catchUpLimit: Int

    /// A configuration; the defaults match the settings' defaults.
    public init(lease: Duration = .seconds(10), name: String = "beat-" + WorkerConfiguration.uniqueConsumerName(), catchUpLimit: Int = 10) {
        self.lease = max(lease, .milliseconds(300))
        self.name = name
        self.catchUpLimit = max(1, catchUpLimit)
    }
}
