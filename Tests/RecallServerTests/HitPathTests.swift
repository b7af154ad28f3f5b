import ChatKit
import Foundation
import Logging
import NIOCore
import Synchronization
import Testing

@testable import AppSupport
@testable import RecallServerCore

/// The shortcuts of the cache-hit path give what the general code gives: the same body
/// fields, the same ids, the same JSON, the same log lines.
@Suite("recall-server hit path")
struct HitPathTests {
    static func viaDecoder(_ json: String) -> ChatRoutes.ChatBody? {
        try? JSONDecoder().decode(ChatRoutes.ChatBody.self, from: Data(json.utf8))
    }

    static func viaScanner(_ json: String) -> ChatRoutes.ChatBody? {
        FlatJSONObject.members(of: ByteBuffer(string: json)).map(ChatRoutes.ChatBody.init(members:))
    }

    @Test("a body of plain strings reads as JSONDecoder reads it", arguments: [
        #"{"question": "How do I request time off?"}"#,
        #" { "question" : "Ünïcödé — ok" , "session_id":"s1","model": "gemini-2.5-flash" } "#,
        #"{"question": null, "model": "m"}"#,
        #"{"question": "q", "extra": "ignored"}"#,
        "{}",
        "{\"question\":\t\"tab\"\r\n}",
    ])
    func plainBodies(json: String) throws {
        let scanned = try #require(Self.viaScanner(json))
        let decoded = try #require(Self.viaDecoder(json))
        #expect(scanned.question == decoded.question)
        #expect(scanned.sessionID == decoded.sessionID)
        #expect(scanned.model == decoded.model)
    }

    @Test("anything else is left to JSONDecoder", arguments: [
        #"{"question": "say \"hi\""}"#,
        #"{"question": 42}"#,
        #"{"question": {"nested": "x"}}"#,
        #"{"question": "a", "question": "b"}"#,
        #"{"question": "a",}"#,
        #"{"question": "a"} trailing"#,
        #"["question"]"#,
        "{\"question\": \"line\nbreak\"}",
        #"{"question": "unterminated}"#,
        "",
    ])
    func otherBodies(json: String) {
        #expect(FlatJSONObject.members(of: ByteBuffer(string: json)) == nil)
    }

    @Test("bytes that are not UTF-8 are left to JSONDecoder")
    func invalidUTF8() {
        var buffer = ByteBuffer(string: #"{"question": ""#)
        buffer.writeBytes([0xC3, 0x28])
        buffer.writeString(#""}"#)
        #expect(FlatJSONObject.members(of: buffer) == nil)
    }

    @Test("generated request ids are distinct lower-case version 4 UUIDs")
    func requestIDs() throws {
        var seen = Set<String>()
        for _ in 0..<1000 {
            let id = RequestIDMiddleware.newID()
            let uuid = try #require(UUID(uuidString: id))
            #expect(uuid.uuidString.lowercased() == id)
            let characters = Array(id)
            #expect(characters[14] == "4")
            #expect("89ab".contains(characters[19]))
            #expect(RequestIDMiddleware.usable(id) == id)
            seen.insert(id)
        }
        #expect(seen.count == 1000)
    }

    @Test("a cached reply's JSON is the encoder's, and a changed reply under the same key is encoded again")
    func replyEncodings() throws {
        let source = ChatSource(documentID: 1, title: "Time off", chunk: 0, score: 0.75, snippet: "Ask two weeks ahead.")
        let reply = ChatReply(answer: "Ask [1].", sources: [source], cached: true, model: "extractive",
                              cacheKey: "56ed565adb8f8f484d15c2a034adb0e7")
        let encodings = ReplyEncodings(capacity: 2)
        let first = try encodings.body(of: reply)
        #expect(first == ByteBuffer(bytes: try JSONBody.encode(reply)))
        #expect(try encodings.body(of: reply) == first)
        var changed = reply
        changed.answer = "Ask your manager [1]."
        #expect(try encodings.body(of: changed) == ByteBuffer(bytes: try JSONBody.encode(changed)))
        // Past its capacity the table starts over and still answers right.
        for index in 0..<3 {
            var other = reply
            other.cacheKey = String(repeating: "\(index)", count: 32)
            #expect(try encodings.body(of: other) == ByteBuffer(bytes: try JSONBody.encode(other)))
        }
    }

    /// A text stream that keeps what is written.
    final class Lines: TextOutputStream, Sendable {
        private let text = Mutex("")
        var written: String { text.withLock { $0 } }
        func write(_ string: String) { text.withLock { $0 += string } }
    }

    @Test("the text log handler writes the metadata set on the logger, merged with the message's")
    func deferredMetadata() {
        let lines = Lines()
        var logger = Logger(label: "test") { label in
            DeferredMetadataLogHandler(StreamLogHandler(label: label, stream: lines, metadataProvider: nil))
        }
        logger.logLevel = .info
        logger[metadataKey: "request_id"] = "abc"
        logger[metadataKey: "tenant"] = "acme"
        #expect(logger[metadataKey: "request_id"] == "abc")
        logger.debug("not written")
        logger.info("answered", metadata: ["tenant": "override", "status": "200"])
        logger[metadataKey: "tenant"] = nil
        logger.error("failed")
        let written = lines.written.split(separator: "\n").map(String.init)
        #expect(written.count == 2)
        #expect(written.first?.contains("request_id=abc status=200 tenant=override") == true)
        #expect(written.last?.contains("request_id=abc [") == true)
        #expect(written.last?.contains("tenant") == false)
    }
}
