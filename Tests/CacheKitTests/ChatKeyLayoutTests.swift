import Foundation
import Testing

@testable import CacheKit

@Suite("ChatKeyLayout")
struct ChatKeyLayoutTests {
    let layout = ChatKeyLayout(prefix: "recall")

    @Test("keys follow the documented layout")
    func keyLayout() {
        let chatKey = ChatCacheKey(question: "What is the company policy?", sessionID: "s-1", model: "gpt-4")
        #expect(
            layout.key(for: chatKey, tenant: "acme", generation: 7)
                == "recall:chat:t=acme:g=7:m=gpt-4:s=s-1:\(chatKey.hash)")
        let bare = ChatCacheKey(question: "What is the company policy?")
        #expect(layout.key(for: bare, tenant: "acme", generation: 0) == "recall:chat:t=acme:g=0:m=:s=:\(bare.hash)")
    }

    @Test("values with separators or glob characters are percent-encoded")
    func encoding() {
        #expect(ChatKeyLayout.encode("gpt-4*") == "gpt-4%2A")
        #expect(ChatKeyLayout.encode("a:s=b") == "a%3As%3Db")
        #expect(ChatKeyLayout.encode("100%") == "100%25")
        #expect(ChatKeyLayout.encode("models/gemini-2.5-flash") == "models%2Fgemini-2.5-flash")
        #expect(ChatKeyLayout.encode("é") == "%C3%A9")
        #expect(ChatKeyLayout.encode("") == "")
        let key = layout.key(for: ChatCacheKey(question: "q", sessionID: "x]y", model: "m?[\\"), tenant: "t*", generation: 1)
        #expect(key.contains { "*?[]\\".contains($0) } == false)
    }

    @Test("patterns fill unspecified parts with wildcards and escape the prefix")
    func patterns() {
        #expect(layout.pattern() == "recall:chat:t=*:g=*:m=*:s=*:*")
        #expect(layout.pattern(tenant: "acme") == "recall:chat:t=acme:g=*:m=*:s=*:*")
        #expect(layout.pattern(model: "gpt-4*") == "recall:chat:t=*:g=*:m=gpt-4%2A:s=*:*")
        #expect(layout.pattern(tenant: "acme", generation: 3, session: "") == "recall:chat:t=acme:g=3:m=*:s=:*")
        #expect(ChatKeyLayout(prefix: "app[1]").pattern(tenant: "a") == #"app\[1\]:chat:t=a:g=*:m=*:s=*:*"#)
    }

    /// Stores one answer for every combination of awkward names, then checks that each pattern
    /// removes exactly the entries with that name and leaves every other one.
    @Test(
        "invalidating one tenant, model or session removes exactly its own keys",
        arguments: ["tenant", "model", "session"]
    )
    func invalidationIsolation(dimension: String) async throws {
        let names = ["gpt-4", "gpt-4*", "gpt-4:s=x", "gpt-4?", "gpt-4[0]", #"gpt\4"#, "a:b", "", "gpt-40", "*"]
        let cache = InProcessTTLCache(maxSize: 10_000)
        var keys: [(key: String, tenant: String, model: String, session: String)] = []
        for tenant in names {
            for model in names {
                for session in names.prefix(4) {
                    let chatKey = ChatCacheKey(question: "q", sessionID: session, model: model)
                    let key = layout.key(for: chatKey, tenant: tenant, generation: 1)
                    try cache.set(key, value: Data(), ttl: .seconds(60))
                    keys.append((key, tenant, model, session))
                }
            }
        }
        #expect(Set(keys.map(\.key)).count == keys.count, "every combination has its own key")

        for target in dimension == "session" ? Array(names.prefix(4)) : names {
            let pattern: String
            let selected: (String, String, String) -> Bool
            switch dimension {
            case "tenant":
                pattern = layout.pattern(tenant: target)
                selected = { tenant, _, _ in tenant == target }
            case "model":
                pattern = layout.pattern(model: target)
                selected = { _, model, _ in model == target }
            default:
                pattern = layout.pattern(session: target)
                selected = { _, _, session in session == target }
            }
            let glob = GlobPattern(pattern)
            for entry in keys {
                #expect(
                    glob.matches(entry.key) == selected(entry.tenant, entry.model, entry.session),
                    "\(pattern) vs \(entry.key)")
            }
        }

        // And through the backend: removing model "gpt-4*" leaves "gpt-4", "gpt-40" and the rest.
        if dimension == "model" {
            let perModel = keys.count / names.count
            #expect(cache.invalidate(pattern: layout.pattern(model: "gpt-4*")) == perModel)
            #expect(cache.invalidate(pattern: layout.pattern(model: "gpt-4*")) == 0)
            #expect(cache.invalidate(pattern: layout.pattern(model: "gpt-4")) == perModel)
            #expect(cache.invalidate(pattern: layout.pattern(model: "a:b")) == perModel)
            #expect(cache.count == keys.count - 3 * perModel)
        }
    }

    @Test("a generation pattern selects only that generation")
    func generations() {
        let chatKey = ChatCacheKey(question: "q")
        let old = layout.key(for: chatKey, tenant: "acme", generation: 1)
        let new = layout.key(for: chatKey, tenant: "acme", generation: 12)
        let glob = GlobPattern(layout.pattern(tenant: "acme", generation: 1))
        #expect(glob.matches(old))
        #expect(glob.matches(new) == false)
    }

    @Test("the relative layout starts at chat:, for backends that add their own prefix")
    func relative() {
        let chatKey = ChatCacheKey(question: "q", sessionID: "s", model: "m")
        let key = ChatKeyLayout.relative.key(for: chatKey, tenant: "acme", generation: 3)
        #expect(key == "chat:t=acme:g=3:m=m:s=s:\(chatKey.hash)")
        #expect(ChatKeyLayout.relative.pattern(tenant: "acme") == "chat:t=acme:g=*:m=*:s=*:*")
        #expect(GlobPattern(ChatKeyLayout.relative.pattern(model: "m")).matches(key))
    }
}
