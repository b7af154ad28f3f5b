/// Delays between reconnect attempts: 50 ms doubling up to 2 s, each randomised between half and
/// all of its value so that many processes that lost the same server do not all come back in
/// the same millisecond.
struct ReconnectBackoff: Sendable {
    static let initial: Duration = .milliseconds(50)
    static let maximum: Duration = .seconds(2)

    private(set) var failures = 0

    /// Records a failed attempt and returns how long to wait before the next one.
    mutating func nextDelay() -> Duration {
        failures += 1
        var delay = Self.initial
        for _ in 1..<min(failures, 16) {
            delay *= 2
            if delay >= Self.maximum { break }
        }
        delay = min(delay, Self.maximum)
        return delay * Double.random(in: 0.5...1.0)
    }

    mutating func reset() {
        failures = 0
    }
}
