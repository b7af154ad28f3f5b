import CacheKit
import ChatKit
import FakeGemini
import Foundation
import TestSupport
import Testing

/// The engine behind the shared cache: real Redis, the in-memory store, answers from the fake
/// Gemini, whose request count says how many generations ran.
@Suite("ChatEngine with the response cache", .serialized, .enabled(if: TestServices.isAvailable(.redis)))
struct ChatEngineCacheTests {
    static let vacation = "How many vacation days do employees get per year?"

    @Test("an answer is grounded on the right chunk, cites it, and names the model and key")
    func citesTheRightChunk() async throws {
        let fixture = try await ChatFixture.make()
        try await fixture.addHandbook()
        let reply = try await fixture.engine.answer(ChatQuestion(question: Self.vacation))
        await fixture.shutdown()

        #expect(reply.sources.first?.title == "Vacation policy")
        #expect(reply.sources.first?.chunk == 0)
        #expect(reply.sources.first?.snippet.hasPrefix("Employees get 25 vacation days") == true)
        #expect(reply.sources.count == 2)
        #expect(reply.answer.contains("25 vacation days"))
        #expect(reply.answer.hasSuffix("[1]"))
        #expect(!reply.cached)
        #expect(reply.model == ChatFixture.chatModel)
        #expect(reply.cacheKey == ChatCacheKey(question: Self.vacation, model: ChatFixture.chatModel).hash)
        #expect(reply.cacheKey.count == 32)
    }

    @Test("the second ask (differing only in case and spacing) is a hit; one generation ran")
    func secondAskIsCached() async throws {
        let fixture = try await ChatFixture.make()
        try await fixture.addHandbook()
        let first = try await fixture.engine.answer(ChatQuestion(question: Self.vacation))
        let second = try await fixture.engine.answer(ChatQuestion(question: "  how many VACATION days do employees   get per year?"))
        let generations = fixture.fake.generateContentCount
        await fixture.shutdown()

        #expect(!first.cached)
        #expect(second.cached)
        #expect(second.answer == first.answer)
        #expect(second.sources == first.sources)
        #expect(second.cacheKey == first.cacheKey)
        #expect(generations == 1)
    }

    @Test("refresh recomputes and overwrites: later asks get the fresh answer from the cache")
    func refreshRecomputes() async throws {
        let fixture = try await ChatFixture.make()
        try await fixture.addHandbook()
        _ = try await fixture.engine.answer(ChatQuestion(question: Self.vacation))
        fixture.fake.setGeneration(.answer("Fresh: 25 days [1]."))
        let refreshed = try await fixture.engine.answer(ChatQuestion(question: Self.vacation, cachePolicy: .refresh))
        let after = try await fixture.engine.answer(ChatQuestion(question: Self.vacation))
        let generations = fixture.fake.generateContentCount
        await fixture.shutdown()

        #expect(!refreshed.cached)
        #expect(refreshed.answer == "Fresh: 25 days [1].")
        #expect(after.cached)
        #expect(after.answer == "Fresh: 25 days [1].")
        #expect(generations == 2)
    }

    @Test("bypass neither reads nor writes the cache")
    func bypassLeavesTheCacheAlone() async throws {
        let fixture = try await ChatFixture.make()
        try await fixture.addHandbook()
        let bypassed = try await fixture.engine.answer(ChatQuestion(question: Self.vacation, cachePolicy: .bypass))
        let normal = try await fixture.engine.answer(ChatQuestion(question: Self.vacation))
        let bypassedAgain = try await fixture.engine.answer(ChatQuestion(question: Self.vacation, cachePolicy: .bypass))
        let generations = fixture.fake.generateContentCount
        await fixture.shutdown()

        #expect(!bypassed.cached)
        #expect(!normal.cached, "the bypassed answer must not have been stored")
        #expect(!bypassedAgain.cached, "a bypassed ask must not read the stored answer")
        #expect(generations == 3)
    }

    @Test("cut-off, blocked, empty and failed answers are errors and are not cached")
    func failuresAreNotCached() async throws {
        let fixture = try await ChatFixture.make()
        try await fixture.addHandbook()
        let question = ChatQuestion(question: Self.vacation)

        fixture.fake.setGeneration(.cutOff(finishReason: "MAX_TOKENS"))
        let cutOff = await #expect(throws: ChatError.self) { try await fixture.engine.answer(question) }
        fixture.fake.setGeneration(.blocked(reason: "SAFETY"))
        let blocked = await #expect(throws: ChatError.self) { try await fixture.engine.answer(question) }
        fixture.fake.setGeneration(.emptyText)
        let empty = await #expect(throws: ChatError.self) { try await fixture.engine.answer(question) }
        fixture.fake.setGeneration(.answer(nil))
        fixture.fake.failNext(3, status: 503)
        let unavailable = await #expect(throws: ChatError.self) { try await fixture.engine.answer(question) }
        let generationsBefore = fixture.fake.generateContentCount

        let recovered = try await fixture.engine.answer(question)
        let generations = fixture.fake.generateContentCount
        await fixture.shutdown()

        #expect(cutOff?.kind == .generationFailed)
        #expect(cutOff?.message.contains("MAX_TOKENS") == true)
        #expect(cutOff?.message.contains("CHAT_MAX_OUTPUT_TOKENS") == true)
        #expect(blocked?.kind == .generationFailed)
        #expect(blocked?.message.contains("blockReason SAFETY") == true)
        #expect(empty?.kind == .generationFailed)
        #expect(empty?.message.contains("empty answer") == true)
        #expect(unavailable?.kind == .generationFailed)
        #expect(unavailable?.message.contains("503") == true)
        #expect(unavailable?.message.contains("(after 3 attempts)") == true)
        #expect(generationsBefore == 6, "three failed answers and three attempts at the 503s")
        #expect(!recovered.cached, "no failure may have been cached")
        #expect(generations == 7)
    }

    @Test("a 429 with RetryInfo is retried after the delay and then answers")
    func rateLimitIsRetried() async throws {
        let fixture = try await ChatFixture.make()
        try await fixture.addHandbook()
        fixture.fake.failNext(1, status: 429, retryDelay: "0.2s")
        let started = ContinuousClock.now
        let reply = try await fixture.engine.answer(ChatQuestion(question: Self.vacation))
        let elapsed = ContinuousClock.now - started
        let generations = fixture.fake.generateContentCount
        await fixture.shutdown()

        #expect(reply.answer.contains("[1]"))
        #expect(generations == 2)
        #expect(elapsed >= .milliseconds(200), "the retry must wait at least RetryInfo.retryDelay")
    }

    @Test("100 concurrent identical questions run one generation")
    func concurrentQuestionsGenerateOnce() async throws {
        let fixture = try await ChatFixture.make(latency: .milliseconds(300))
        try await fixture.addHandbook()
        let engine = fixture.engine
        let replies = try await withThrowingTaskGroup(of: ChatReply.self) { group in
            for _ in 0..<100 {
                group.addTask { try await engine.answer(ChatQuestion(question: Self.vacation)) }
            }
            return try await group.reduce(into: [ChatReply]()) { $0.append($1) }
        }
        let generations = fixture.fake.generateContentCount
        await fixture.shutdown()

        #expect(replies.count == 100)
        #expect(Set(replies.map(\.answer)).count == 1)
        #expect(generations == 1)
    }

    @Test("tenants are isolated: no cached answer and no document crosses over")
    func tenantsAreIsolated() async throws {
        let fixture = try await ChatFixture.make()
        let acmeDocument = try await fixture.add(title: "Acme launch", text: "The Acme rocket launch date is March 3 at the north pad.", tenant: "acme")
        try await fixture.add(title: "Globex picnic", text: "The Globex picnic date is June 9 in the park.", tenant: "globex")
        let question = "What is the launch date?"

        let acme = try await fixture.engine.answer(ChatQuestion(question: question, tenant: "acme"))
        let acmeAgain = try await fixture.engine.answer(ChatQuestion(question: question, tenant: "acme"))
        let globex = try await fixture.engine.answer(ChatQuestion(question: question, tenant: "globex"))
        let globexHits = try await fixture.engine.search(query: "Acme rocket launch date north pad", k: 10, tenant: "globex")
        let defaultHits = try await fixture.engine.search(query: "Acme rocket launch date north pad", k: 10, tenant: nil)
        let generations = fixture.fake.generateContentCount
        await fixture.shutdown()

        #expect(acme.sources.map(\.documentID) == [acmeDocument])
        #expect(acmeAgain.cached)
        #expect(!globex.cached, "tenant B must not be served tenant A's cached answer")
        #expect(globex.sources.allSatisfy { $0.title == "Globex picnic" })
        #expect(globexHits.map(\.title) == ["Globex picnic"])
        #expect(defaultHits.isEmpty, "the default tenant sees neither tenant's documents")
        #expect(generations == 2)
    }

    @Test("a corpus generation bump makes the next ask a miss")
    func generationBumpMisses() async throws {
        let fixture = try await ChatFixture.make()
        try await fixture.addHandbook()
        _ = try await fixture.engine.answer(ChatQuestion(question: Self.vacation))
        let hit = try await fixture.engine.answer(ChatQuestion(question: Self.vacation))
        try await fixture.cache.bumpGeneration()
        let afterBump = try await fixture.engine.answer(ChatQuestion(question: Self.vacation))
        let generations = fixture.fake.generateContentCount
        await fixture.shutdown()

        #expect(hit.cached)
        #expect(!afterBump.cached)
        #expect(generations == 2)
    }

    @Test("with no documents the engine says so, generates nothing and caches nothing")
    func nothingFound() async throws {
        let fixture = try await ChatFixture.make()
        let first = try await fixture.engine.answer(ChatQuestion(question: Self.vacation))
        let second = try await fixture.engine.answer(ChatQuestion(question: Self.vacation))
        let generations = fixture.fake.generateContentCount
        await fixture.shutdown()

        #expect(first.answer == ChatEngine.nothingFound)
        #expect(first.sources.isEmpty)
        #expect(!second.cached)
        #expect(generations == 0)
    }

    @Test("bad questions and models are refused before anything is sent")
    func validation() async throws {
        let fixture = try await ChatFixture.make(maxQuestionCharacters: 40)
        try await fixture.addHandbook()
        let empty = await #expect(throws: ChatError.self) { try await fixture.engine.answer(ChatQuestion(question: " \n\t ")) }
        let long = await #expect(throws: ChatError.self) {
            try await fixture.engine.answer(ChatQuestion(question: String(repeating: "why ", count: 20)))
        }
        let model = await #expect(throws: ChatError.self) {
            try await fixture.engine.answer(ChatQuestion(question: "Vacation?", model: "../../v1/files"))
        }
        let k = await #expect(throws: ChatError.self) { try await fixture.engine.search(query: "vacation", k: 0, tenant: nil) }
        let sent = fixture.fake.requests.count
        await fixture.shutdown()

        #expect(empty?.kind == .invalidQuestion)
        #expect(empty?.message.contains("empty") == true)
        #expect(long?.kind == .invalidQuestion)
        #expect(long?.message.contains("CHAT_MAX_QUESTION_CHARS") == true)
        #expect(model?.kind == .invalidModel)
        #expect(model?.httpStatus == 400)
        #expect(k?.kind == .invalidQuestion)
        #expect(sent == 0)
    }
}

/// Which models a question may name.
@Suite("ChatEngine model choice", .enabled(if: TestServices.isAvailable(.redis)))
struct ChatEngineModelTests {
    @Test("an allowed model answers under its own key; one not offered is refused before anything is sent")
    func allowList() async throws {
        let fixture = try await ChatFixture.make(allowedModels: ["gemini-2.5-flash-lite"])
        try await fixture.addHandbook()
        let question = ChatEngineCacheTests.vacation
        let lite = try await fixture.engine.answer(ChatQuestion(question: question, model: "gemini-2.5-flash-lite"))
        let standard = try await fixture.engine.answer(ChatQuestion(question: question))
        let refused = await #expect(throws: ChatError.self) {
            try await fixture.engine.answer(ChatQuestion(question: question, model: "gemini-2.5-pro"))
        }
        let paths = fixture.fake.requests.map(\.path)
        await fixture.shutdown()

        #expect(lite.model == "gemini-2.5-flash-lite")
        #expect(!standard.cached, "the model is part of the key")
        #expect(lite.cacheKey != standard.cacheKey)
        #expect(refused?.kind == .invalidModel)
        #expect(refused?.message.contains("gemini-2.5-flash, gemini-2.5-flash-lite") == true, "\(refused?.message ?? "")")
        #expect(paths == ["/v1beta/models/gemini-2.5-flash-lite:generateContent", "/v1beta/models/gemini-2.5-flash:generateContent"])
    }
}
