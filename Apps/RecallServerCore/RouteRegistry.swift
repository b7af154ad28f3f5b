import Hummingbird
import Synchronization

/// The route table, filled while the router is built and read by the error middleware (which is
/// added before the routes exist, as Hummingbird requires).
public final class RouteRegistry: Sendable {
    private let storage = Mutex(RouteTable())

    init() {}

    /// The routes registered so far.
    public var table: RouteTable { storage.withLock { $0 } }

    func add(_ method: HTTPRequest.Method, _ template: String) {
        storage.withLock { $0.add(method, template) }
    }
}
