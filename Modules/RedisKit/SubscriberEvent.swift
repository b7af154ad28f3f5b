/// What a ``RedisSubscriber`` reports.
public enum SubscriberEvent: Sendable, Equatable {
    /// A message published to one of the subscribed channels.
    case message(channel: String, payload: [UInt8])
    /// The subscription is (again) in place: every message published from now on is delivered.
    /// Emitted after the first connect and after every reconnect.
    case connected
    /// The connection was lost: messages published until the next ``connected`` are missed, so a
    /// near-cache kept coherent by this channel must drop what it holds.
    case disconnected
}
