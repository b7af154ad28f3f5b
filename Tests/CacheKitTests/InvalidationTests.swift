import Foundation
import Testing

@testable import CacheKit

/// Invalidation by the parts of a chat key removes exactly the entries it names, on every
/// backend, counted.
@Suite("Invalidation by tenant, model, session and pattern")
struct InvalidationTests {
    struct Entry: Hashable {
        let tenant: String
        let model: String
        let session: String
        let key: String
    }

    static func entries() -> [Entry] {
        var entries: [Entry] = []
        // Names with glob and separator characters must not match more than themselves.
        for tenant in ["acme", "globex", "a*b"] {
            for model in ["gpt-4", "gemini-2.5-flash", "x:s=y"] {
                for session in ["", "s1", "s?"] {
                    for question in ["What is the policy?", "How do I request time off?"] {
                        let chatKey = ChatCacheKey(question: question, sessionID: session, model: model)
                        let key = ChatKeyLayout.relative.key(for: chatKey, tenant: tenant, generation: 7)
                        entries.append(Entry(tenant: tenant, model: model, session: session, key: key))
                    }
                }
            }
        }
        return entries
    }

    @Test("each invalidation removes exactly the keys it selects", arguments: BackendFactory.all)
    func exactSelections(factory: BackendFactory) async throws {
        let cache = try await factory.make().backend
        let all = Self.entries()
        for entry in all { try await cache.set(entry.key, value: Data(entry.key.utf8), ttl: .seconds(60)) }
        try await cache.set("other", value: Data("x".utf8), ttl: .seconds(60))
        var live = Set(all)
        let layout = ChatKeyLayout.relative

        func expectRemoval(_ removed: Int, of selected: (Entry) -> Bool, _ label: String) async throws {
            let expected = live.filter(selected)
            #expect(removed == expected.count, "\(label): removed \(removed), expected \(expected.count)")
            live.subtract(expected)
            for entry in all {
                #expect(try await cache.exists(entry.key) == live.contains(entry), "\(label): \(entry.key)")
            }
        }

        try await expectRemoval(try await cache.invalidate(pattern: layout.pattern(model: "gpt-4")),
                                of: { $0.model == "gpt-4" }, "model gpt-4")
        try await expectRemoval(try await cache.invalidate(pattern: layout.pattern(session: "s?")),
                                of: { $0.session == "s?" }, "session s?")
        try await expectRemoval(try await cache.invalidate(pattern: layout.pattern(tenant: "a*b")),
                                of: { $0.tenant == "a*b" }, "tenant a*b")
        try await expectRemoval(try await cache.invalidate(pattern: layout.pattern(tenant: "acme", model: "x:s=y")),
                                of: { $0.tenant == "acme" && $0.model == "x:s=y" }, "tenant acme, model x:s=y")
        try await expectRemoval(try await cache.invalidate(pattern: layout.pattern(session: "")),
                                of: { $0.session == "" }, "no session")
        try await expectRemoval(try await cache.invalidate(pattern: "chat:t=globex:*"),
                                of: { $0.tenant == "globex" }, "pattern chat:t=globex:*")
        #expect(try await cache.invalidate(pattern: layout.pattern()) == live.count)
        #expect(try await cache.get("other") == Data("x".utf8))
    }
}
