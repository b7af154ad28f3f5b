import Foundation
import Testing
@testable import IngestKit

@Suite("Text extraction")
struct TextExtractorTests {
    @Test("HTML drops scripts, styles and comments, decodes entities, keeps paragraphs and the title")
    func html() throws {
        let html = """
            <!doctype html><html><head><title>Leave &amp; Holidays</title>
            <style>p { color: red }</style><script>var secret = "drop me";</script></head>
            <body><!-- hidden note --><h1>Time off</h1><p>Staff get 25&nbsp;days &ndash; plus public holidays.</p>
            <p>Ask your manager&#39;s approval &#x2014; two weeks ahead.</p><noscript>enable js</noscript></body></html>
            """
        let extracted = try TextExtractor.extract(Data(html.utf8), format: .html)
        #expect(extracted.title == "Leave & Holidays")
        #expect(extracted.text == "Time off\n\nStaff get 25 days – plus public holidays.\n\nAsk your manager's approval — two weeks ahead.")
        #expect(!extracted.text.contains("drop me"))
        #expect(!extracted.text.contains("color"))
        #expect(!extracted.text.contains("hidden note"))
        #expect(!extracted.text.contains("enable js"))
    }

    @Test("Markdown keeps prose, takes the first H1 as title, strips links and emphasis")
    func markdown() throws {
        let markdown = "# Expenses\n\nSubmit **receipts** within [30 days](https://example.com/policy).\n\n- Travel is `pre-approved`\n"
        let extracted = try TextExtractor.extract(Data(markdown.utf8), format: .markdown)
        #expect(extracted.title == "Expenses")
        #expect(extracted.text.contains("Submit receipts within 30 days."))
        #expect(extracted.text.contains("Travel is pre-approved"))
        #expect(!extracted.text.contains("https://"))
    }

    @Test("plain text keeps its words and normalises line endings; a BOM is dropped")
    func plain() throws {
        let extracted = try TextExtractor.extract(Data("\u{FEFF}one\r\ntwo\r\n".utf8), format: .plainText)
        #expect(extracted.text == "one\ntwo\n")
        #expect(extracted.title == nil)
    }

    @Test("bytes that are not UTF-8 are refused with a fix")
    func notUTF8() {
        let error = #expect(throws: TextExtractor.ExtractionError.self) {
            try TextExtractor.extract(Data([0xFF, 0xFE, 0x00, 0xD8]), format: .plainText)
        }
        #expect(error?.description.contains("UTF-8") == true)
    }

    @Test("content types and file names map to formats", arguments: [
        ("text/html; charset=utf-8", DocumentFormat.html), ("text/markdown", .markdown), ("TEXT/PLAIN", .plainText),
    ])
    func contentTypes(contentType: String, format: DocumentFormat) {
        #expect(DocumentFormat(contentType: contentType) == format)
    }

    @Test("unsupported types are recognised as such")
    func unsupported() {
        #expect(DocumentFormat(contentType: "application/pdf") == nil)
        #expect(DocumentFormat(filename: "report.pdf") == nil)
        #expect(DocumentFormat(filename: "notes.MD") == .markdown)
    }
}
